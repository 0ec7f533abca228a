import { describe, expect, it } from 'vitest';
import { newClusterId } from './write-kafka-config.js';

describe('newClusterId', () => {
  it('draws again when the id would start with a dash, which the storage tool reads as an option', () => {
    // 0xf8 0x00 ... encodes to "-A...": the first draw is refused, the second taken.
    const draws = [Buffer.alloc(16, 0), Buffer.alloc(16, 1)];
    draws[0]![0] = 0xf8;
    let n = 0;
    const id = newClusterId(() => draws[n++] as Buffer);
    expect(n).toBe(2);
    expect(id).toBe(Buffer.alloc(16, 1).toString('base64url'));
  });

  it('makes 22-character base64url ids of 16 bytes, as kafka-storage random-uuid does', () => {
    for (let i = 0; i < 500; i++) {
      const id = newClusterId();
      expect(id).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/);
      expect(Buffer.from(id, 'base64url')).toHaveLength(16);
    }
  });
});
