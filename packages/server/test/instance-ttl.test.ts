import { describe, expect, it } from 'vitest';
import { startServer } from '../src/index.js';

describe('instance TTL', () => {
  it('refuses a TTL below 3 s with GL_INSTANCE_TTL_TOO_SHORT before opening anything', async () => {
    await expect(startServer({ port: 0, instanceTtlMs: 2999, log: () => {} })).rejects.toMatchObject({
      code: 'GL_INSTANCE_TTL_TOO_SHORT',
      message: expect.stringContaining('--instance-ttl 3s'),
    });
  });
});
