import { GraylaneError, isGraylaneError } from '@graylane/core';

// PostgreSQL SQLSTATE classes and socket errors that mean "the database is not
// there right now" rather than "this request is wrong".
const unavailableCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  '57P01',
  '57P02',
  '57P03',
  '53300',
  'SQLITE_BUSY',
  'SQLITE_FULL',
  'SQLITE_IOERR',
  'SQLITE_CANTOPEN',
  'SQLITE_READONLY',
]);

/** Turns a driver error into GL_STORE_UNAVAILABLE when the database is unreachable. */
export function storeError(thrown: unknown, location: string): unknown {
  if (isGraylaneError(thrown)) return thrown;
  const code = (thrown as { code?: unknown } | null)?.code;
  const message = thrown instanceof Error ? thrown.message : String(thrown);
  const connectionClass = typeof code === 'string' && code.startsWith('08');
  if (
    (typeof code === 'string' && unavailableCodes.has(code)) ||
    connectionClass ||
    /Connection terminated|connection timeout|Client has encountered a connection error/i.test(message)
  ) {
    return new GraylaneError(
      'GL_STORE_UNAVAILABLE',
      `the store at ${location} is unavailable (${message}): check that the database is running and reachable, then retry`,
      { cause: thrown },
    );
  }
  return thrown;
}
