import { describe, expect, it } from 'vitest';
import { createRouter } from './router.js';

describe('createRouter', () => {
  const router = createRouter();
  const handler = async () => undefined;
  router.add('GET', '/v1/namespaces/{ns}/lanes/{name}', 'read', handler);
  router.add('PUT', '/v1/namespaces/{ns}/lanes/{name}', 'write', handler);

  it('captures decoded path segments', () => {
    const match = router.match('GET', '/v1/namespaces/default/lanes/a%2Eb');
    expect(match.params).toEqual({ ns: 'default', name: 'a.b' });
    expect(match.route.access).toBe('read');
  });

  it('says which methods a known path takes, and that an unknown path has no endpoint', () => {
    expect(() => router.match('POST', '/v1/namespaces/default/lanes/x')).toThrow(/use GET or PUT/);
    expect(() => router.match('GET', '/v1/other')).toThrow(expect.objectContaining({ code: 'GL_NOT_FOUND' }));
    expect(() => router.match('GET', '/v1/namespaces/default/lanes/%E0%A4%A')).toThrow(
      expect.objectContaining({ code: 'GL_NOT_FOUND' }),
    );
  });
});
