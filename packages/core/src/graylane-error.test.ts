import { describe, expect, it } from 'vitest';
import {
  errorCodeOf,
  errorCodes,
  formatError,
  GraylaneError,
  isGraylaneError,
  statusOf,
} from './graylane-error.js';

describe('GraylaneError', () => {
  it('carries a code, issues and the cause, and serialises without the stack', () => {
    const cause = new Error('boom');
    const error = new GraylaneError('GL_RULE_INVALID', 'bad rule', {
      cause,
      issues: [{ document: 'Lane/x', path: 'spec.tag', message: 'bad tag' }],
    });
    expect(error.cause).toBe(cause);
    expect(JSON.parse(JSON.stringify(error))).toEqual({
      code: 'GL_RULE_INVALID',
      message: 'bad rule',
      issues: [{ document: 'Lane/x', path: 'spec.tag', message: 'bad tag' }],
    });
    expect(formatError(error)).toBe('GL_RULE_INVALID: bad rule\n  Lane/x at spec.tag: bad tag');
  });

  it('is recognised across copies of the library by its symbol brand', () => {
    const foreign = Object.assign(new Error('x'), { [Symbol.for('graylane.error')]: true });
    expect(isGraylaneError(foreign)).toBe(true);
    expect(isGraylaneError(new Error('x'))).toBe(false);
    expect(isGraylaneError(null)).toBe(false);
  });

  it('from() wraps anything thrown and keeps a GraylaneError as it is', () => {
    const original = new GraylaneError('GL_NO_INSTANCE', 'none');
    expect(GraylaneError.from(original)).toBe(original);
    const wrapped = GraylaneError.from(new TypeError('oops'));
    expect(wrapped).toMatchObject({ code: 'GL_INTERNAL', message: 'oops' });
    expect(GraylaneError.from('text', 'GL_RULE_INVALID')).toMatchObject({
      code: 'GL_RULE_INVALID',
      message: 'text',
    });
    expect(
      formatError(
        new GraylaneError('GL_INTERNAL', 'x', { issues: [{ document: 'd', path: '', message: 'm' }] }),
      ),
    ).toBe('GL_INTERNAL: x\n  d: m');
  });

  it('has codes that all start with GL_ and are unique', () => {
    expect(new Set(errorCodes).size).toBe(errorCodes.length);
    for (const code of errorCodes) expect(code).toMatch(/^GL_[A-Z0-9_]+$/);
  });

  it('gives every code one HTTP status, and an answer without a known code the code of its status', () => {
    expect(statusOf('GL_RULE_INVALID')).toBe(400);
    expect(statusOf('GL_UPSTREAM_TIMEOUT')).toBe(504);
    expect(statusOf('GL_JAVA_MISSING')).toBe(500);
    expect(errorCodeOf('GL_CONFLICT', 500)).toBe('GL_CONFLICT');
    expect(errorCodeOf('GL_MADE_UP', 404)).toBe('GL_NOT_FOUND');
    expect(errorCodeOf(undefined, 502)).toBe('GL_INTERNAL');
    expect(errorCodeOf(undefined, 418)).toBe('GL_BAD_REQUEST');
  });
});
