import { describe, expect, it } from 'vitest';
import { withLaneHeaders } from './headers.js';

const fields = { tag: 'gray', baggage: 'a=1,graylane-tag=gray' };

describe('withLaneHeaders', () => {
  it('writes the lane fields and the Host header into a copy, leaving the app its object', () => {
    const app = { Accept: 'text/plain', 'X-Graylane-Tag': 'old', BAGGAGE: 'a=1' };
    expect(withLaneHeaders(app, fields, 'svc-b:8080')).toEqual({
      Accept: 'text/plain',
      'x-graylane-tag': 'gray',
      baggage: 'a=1,graylane-tag=gray',
      host: 'svc-b:8080',
    });
    expect(app).toEqual({ Accept: 'text/plain', 'X-Graylane-Tag': 'old', BAGGAGE: 'a=1' });
  });

  it('keeps a Host header the app set, and copies nothing when nothing changes', () => {
    const app = { Host: 'example.test' };
    expect(withLaneHeaders(app, undefined, 'svc-b')).toBe(app);
    expect(withLaneHeaders(app, { tag: 'gray' }, 'svc-b')).toEqual({
      Host: 'example.test',
      'x-graylane-tag': 'gray',
    });
    expect(withLaneHeaders(undefined, undefined, undefined)).toBeUndefined();
  });

  it('removes the baggage header when the lane leaves nothing in it', () => {
    expect(withLaneHeaders({ baggage: 'graylane-tag=gray', a: '1' }, { baggage: '' }, undefined)).toEqual({
      a: '1',
    });
  });

  it('handles headers given as a flat list', () => {
    expect(withLaneHeaders(['Host', 'example.test', 'x-graylane-tag', 'old'], fields, 'svc-b')).toEqual([
      'Host',
      'example.test',
      'x-graylane-tag',
      'gray',
      'baggage',
      'a=1,graylane-tag=gray',
    ]);
    expect(withLaneHeaders(null, { tag: 'gray' }, 'svc-b')).toEqual({
      'x-graylane-tag': 'gray',
      host: 'svc-b',
    });
  });
});
