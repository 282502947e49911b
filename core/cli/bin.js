#!/usr/bin/env node
// The `kho` command. Kho is TypeScript run through tsx, so there is no build step between
// `npm install` and a running portal.
import { register } from 'tsx/esm/api';

register();
await import('./main.ts');
