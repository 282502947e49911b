// Assertions on Action API responses shared by the test suites.
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import type { ApiResponse } from './api-client.ts';

/** A 200 with success true; returns `result`. */
export function expectOk(response: ApiResponse) {
  expect(response.status, response.text).to.equal(200);
  expect(response.body.success).to.equal(true);
  return response.body.result;
}

/** A failure with this status and CKAN __type; returns the `error` object. */
export function expectError(response: ApiResponse, status: number, type: string) {
  expect(response.status, response.text).to.equal(status);
  expect(response.body.success).to.equal(false);
  expect(response.body.error.__type).to.equal(type);
  return response.body.error;
}

export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}
