import assert from 'node:assert/strict';
import pg from 'pg';
import { guarded, isUnavailability } from '../src/database';
import { DatabaseUnavailableError } from '../src/errors';

function databaseError(code: string): pg.DatabaseError {
  const error = new pg.DatabaseError('server said no', 0, 'error');
  error.code = code;
  return error;
}

function systemError(code: string): Error {
  return Object.assign(new Error(`connect ${code} 127.0.0.1:5432`), { code });
}

describe('database error classification (503 or 500)', function () {
  const cases: Array<[string, unknown, boolean]> = [
    ['connection refused', systemError('ECONNREFUSED'), true],
    ['connection reset', systemError('ECONNRESET'), true],
    ['host not found', systemError('ENOTFOUND'), true],
    ['pg: connection terminated unexpectedly', new Error('Connection terminated unexpectedly'), true],
    ['pg: connect timeout', new Error('timeout exceeded when trying to connect'), true],
    ['57P01 admin shutdown', databaseError('57P01'), true],
    ['57P03 cannot connect now (starting up)', databaseError('57P03'), true],
    ['57014 statement timeout', databaseError('57014'), true],
    ['53300 too many connections', databaseError('53300'), true],
    ['08006 connection failure', databaseError('08006'), true],
    ['08P01 protocol violation (a bug)', databaseError('08P01'), false],
    ['42P01 undefined table (a bug)', databaseError('42P01'), false],
    ['23505 unique violation', databaseError('23505'), false],
    ['a TypeError in our code', new TypeError('x is undefined'), false],
    ['not an Error at all', 'boom', false],
  ];
  for (const [name, error, unavailable] of cases) {
    it(`${name}: ${unavailable ? '503' : 'not 503'}`, async function () {
      assert.equal(isUnavailability(error), unavailable);
      const outcome = await guarded(() => Promise.reject(error)).catch((thrown: unknown) => thrown);
      assert.equal(outcome instanceof DatabaseUnavailableError, unavailable);
      if (!unavailable) assert.equal(outcome, error, 'other errors pass through unchanged');
    });
  }
});
