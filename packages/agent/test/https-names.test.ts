import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCertificates } from '@graylane/injector';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ControlPlane,
  cacheDir,
  call,
  lane,
  type Service,
  startControlPlane,
  startService,
  waitFor,
} from './support/cluster.js';

// B serves https (and gRPC over TLS) with a certificate for its Kubernetes names only
// (not for the address it runs at); A calls it by its fully qualified name, as pods do.
// The call must reach the lane's instance of B and still verify B's certificate for that name.
describe.each(['http', 'fetch', 'grpc'] as const)(
  'TLS to a governed app by its Kubernetes name, over %s',
  (transport) => {
    let cp: ControlPlane;
    const services: Service[] = [];
    let a: Service;
    const namespace = `tls-${transport}`;

    beforeAll(async () => {
      const dir = mkdtempSync(join(tmpdir(), 'graylane-tls-'));
      const certs = createCertificates({ service: 'b', namespace: 'shop' });
      for (const [file, text] of [
        ['ca.pem', certs.caCert],
        ['cert.pem', certs.tlsCert],
        ['key.pem', certs.tlsKey],
      ] as const)
        writeFileSync(join(dir, file), text);
      cp = await startControlPlane();
      await cp.apply(lane(namespace, { tag: 'gray' }));
      const options = { server: cp.url, namespace, cacheDir: cacheDir(), transport };
      const tls = { TLS_CERT: join(dir, 'cert.pem'), TLS_KEY: join(dir, 'key.pem') };
      const started = await Promise.all([
        startService({
          ...options,
          app: 'a',
          next: transport === 'grpc' ? 'dns:///b.shop.svc.cluster.local:50051' : 'b.shop.svc.cluster.local',
          env: {
            NEXT_SCHEME: 'https',
            NODE_EXTRA_CA_CERTS: join(dir, 'ca.pem'),
            GRAYLANE_K8S_NAMESPACE: 'shop',
          },
        }),
        startService({ ...options, app: 'b', env: tls }),
        startService({ ...options, app: 'b', tag: 'gray', env: tls }),
      ]);
      services.push(...started);
      a = started[0];
    });
    afterAll(async () => {
      await Promise.all(services.map((s) => s.stop()));
      await cp?.close();
    });

    it('reaches the baseline B untagged and the gray B tagged, with the certificate checked for the name', async () => {
      await waitFor('untagged reaches the baseline B', async () => {
        const { text } = await call(a.http, '/chain');
        return text === 'a[base] -> b[base]' || text;
      });
      await waitFor('tagged reaches the gray B', async () => {
        const { text } = await call(a.http, '/chain', { 'x-graylane-tag': 'gray' });
        return text === 'a[base] -> b[gray]' || text;
      });
      expect(a.output()).not.toContain('GL_INTERNAL');
    });
  },
);
