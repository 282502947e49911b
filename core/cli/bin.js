#!/usr/bin/env node
// The `kho` command. Kho is TypeScript run through tsx, so there is no build step between
// `npm install` and a running portal.
import { register } from 'tsx/esm/api';

// `kho … | head` closes the pipe early: that ends the output, it is not an error to report.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

register();
await import('./main.ts');
