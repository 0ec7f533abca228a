import { isGraylaneError } from '@graylane/core/runtime';
import { describe, expect, it } from 'vitest';
import { explainReceiveError } from './receive-errors.js';

describe('explainReceiveError', () => {
  it('explains a broker that refuses SQL92 with the setting to change or client mode', () => {
    const refused = new Error(
      'CODE: 1  DESC: The broker does not support consumer to filter message by SQL92',
    );
    const explained = explainReceiveError(refused, 'GID_A_gray');
    expect(isGraylaneError(explained) && explained.code).toBe('GL_MQ_SQL92_UNSUPPORTED');
    expect((explained as Error).message).toContain('enablePropertyFilter=true');
    expect((explained as Error).message).toContain('filter: client');
    expect((explained as Error).cause).toBe(refused);
  });

  it('leaves every other error as it was', () => {
    const other = new Error('deadline exceeded');
    expect(explainReceiveError(other, 'g')).toBe(other);
  });
});
