import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCertificates } from '@graylane/injector';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ControlPlane, startControlPlane } from './control-plane.js';
import { lane } from './documents.js';
import { type Service, type ServiceOptions, startService } from './start-service.js';
import { waitFor, waitUntilRoutable } from './wait-for.js';

/** What the target instance saw, or the error the caller got. */
export interface HopAnswer {
  status: number;
  /** `app[tag]` of the instance that answered. */
  name?: string;
  /** The `x-graylane-tag` header (gRPC metadata) it received. */
  tag?: string;
  /** The `baggage` it received. */
  baggage?: string;
  error?: string;
}

export interface HopCaller {
  /** One request into the hop with `headers`; the caller calls `to` (a host, or an app for the gateway). */
  call(to: string, headers?: Record<string, string>): Promise<HopAnswer>;
  close(): Promise<void>;
}

export interface HopContext {
  cp: ControlPlane;
  namespace: string;
  /** The node binary the services run on. */
  node?: string;
  /** Environment for a caller that must trust the targets' test CA (NODE_EXTRA_CA_CERTS; CA_FILE: its path). */
  callerEnv: Record<string, string>;
}

/** One way of making a hop, run through every case. */
export interface HopAdapter {
  name: string;
  /** The targets serve https (with a certificate for their names only). */
  tls?: boolean;
  /** The caller writes host names (http, fetch, gRPC): the name, IPv6 and pass-through cases apply. */
  hostNames: boolean;
  /** `:port` a target written by name carries (gRPC targets need one; the agent ignores it). */
  port?: number;
  /** Which port of an instance a call to its address reaches (pass-through case). */
  protocol: 'http' | 'grpc';
  start(context: HopContext): Promise<HopCaller>;
}

export interface HopSuiteOptions {
  /** The node binary for every service (default process.execPath). */
  node?: string;
}

/** Kubernetes namespace the callers run in (GRAYLANE_K8S_NAMESPACE). */
export const HOP_K8S_NAMESPACE = 'shop';

let counter = 0;

/**
 * The hop suite: every case an outbound adapter must pass, run by each adapter
 * (Hono's common.case.test.ts pattern). Each adapter gets its own control plane
 * and namespace; target apps run the kit's hop service:
 * `b` (baseline and gray, also named `backend` by GRAYLANE_SERVICE_NAMES),
 * `r` (a gray instance plus a registered one nobody listens for),
 * `k` (baseline and a gray one the suite kills), `v6` (baseline on ::1) and `z` (registered
 * by hand: gray instances nobody listens for, a baseline at b's).
 */
export function runHopSuite(adapter: HopAdapter, options: HopSuiteOptions = {}): void {
  describe(`hops over ${adapter.name}`, () => {
    const namespace = `hop-${adapter.name.replace(/[^a-z0-9]+/g, '-')}-${++counter}`;
    let cp: ControlPlane;
    let caller: HopCaller;
    const services: Service[] = [];
    let base: Omit<ServiceOptions, 'app'>;
    let kGray: Service;
    let bBase: Service;
    const host = (name: string) => (adapter.port === undefined ? name : `${name}:${adapter.port}`);
    const gray = { 'x-graylane-tag': 'gray', baggage: 'k=v' };

    const start = async (app: string, tag = '', env: Record<string, string> = {}) => {
      const s = await startService({ ...base, app, tag, env: { ...base.env, ...env } });
      services.push(s);
      return s;
    };

    beforeAll(async () => {
      cp = await startControlPlane();
      const callerEnv: Record<string, string> = {};
      const targetEnv: Record<string, string> = {};
      if (adapter.tls) {
        const dir = mkdtempSync(join(tmpdir(), 'graylane-kit-tls-'));
        const names = ['b', 'backend', 'r', 'k', 'v6', 'z'].flatMap((n) => {
          const ns = `${n}.${HOP_K8S_NAMESPACE}`;
          return [n, ns, `${ns}.svc`, `${ns}.svc.cluster.local`];
        });
        const certs = createCertificates({
          service: 'b',
          namespace: HOP_K8S_NAMESPACE,
          extraNames: [...names, '127.0.0.1', '::1'],
        });
        writeFileSync(join(dir, 'ca.pem'), certs.caCert);
        writeFileSync(join(dir, 'cert.pem'), certs.tlsCert);
        writeFileSync(join(dir, 'key.pem'), certs.tlsKey);
        callerEnv.NODE_EXTRA_CA_CERTS = join(dir, 'ca.pem');
        // For a caller that gives the CA to its client instead (and unsets the above).
        callerEnv.CA_FILE = join(dir, 'ca.pem');
        targetEnv.TLS_CERT = join(dir, 'cert.pem');
        targetEnv.TLS_KEY = join(dir, 'key.pem');
      }
      callerEnv.GRAYLANE_K8S_NAMESPACE = HOP_K8S_NAMESPACE;
      base = { server: cp.url, namespace, ...(options.node ? { node: options.node } : {}), env: targetEnv };
      await cp.apply([
        lane(namespace, { tag: 'gray', propagation: true, fallback: 'baseline' }),
        lane(namespace, { tag: 'quiet', propagation: false, fallback: 'baseline' }, 'quiet'),
        lane(namespace, { tag: 'solo', propagation: true, fallback: 'strict' }, 'solo'),
      ]);
      const named = { GRAYLANE_SERVICE_NAMES: 'backend' };
      [bBase] = await Promise.all([
        start('b', '', named),
        start('b', 'gray', named),
        start('r', 'gray'),
        start('k', ''),
        start('v6', '', { BIND: '::1', GRAYLANE_HOST: '' }),
      ]);
      kGray = await start('k', 'gray');
      await cp.register(namespace, {
        app: 'r',
        tag: 'gray',
        address: '127.0.0.1',
        ports: { http: 1, grpc: 1 },
      });
      for (const [app, tag] of [
        ['b', ''],
        ['b', 'gray'],
        ['r', 'gray'],
        ['k', ''],
        ['k', 'gray'],
        ['v6', ''],
      ] as const)
        await waitUntilRoutable(cp, { namespace, app, tag, protocol: adapter.protocol });
      caller = await adapter.start({
        cp,
        namespace,
        ...(options.node ? { node: options.node } : {}),
        callerEnv,
      });
      await waitFor('the caller routes to b', async () => (await caller.call(host('b'))).name === 'b[base]');
    });

    afterAll(async () => {
      await caller?.close();
      await Promise.all(services.map((s) => s.stop()));
      await cp?.close();
    });

    it('a tagged request reaches the instance of its tag', async () => {
      expect(await caller.call(host('b'), gray)).toMatchObject({ status: 200, name: 'b[gray]' });
    });

    it('an untagged request stays on the baseline', async () => {
      for (let i = 0; i < 5; i++) expect((await caller.call(host('b'))).name).toBe('b[base]');
    });

    it('a tag without an instance falls back to the baseline, or fails with the code of a strict lane', async () => {
      expect(await caller.call(host('b'), { 'x-graylane-tag': 'blue' })).toMatchObject({ name: 'b[base]' });
      const strict = await caller.call(host('b'), { 'x-graylane-tag': 'solo' });
      expect(strict.name).toBeUndefined();
      expect(strict.error).toContain('GL_STRICT_NO_TAGGED_INSTANCE');
    });

    it('with propagation on, the next hop gets the tag in the header and in the baggage, other members kept', async () => {
      expect(await caller.call(host('b'), gray)).toMatchObject({
        tag: 'gray',
        baggage: 'k=v,graylane-tag=gray',
      });
    });

    it('with propagation off, the next hop gets neither the header nor the baggage member', async () => {
      const answer = await caller.call(host('b'), {
        'x-graylane-tag': 'quiet',
        baggage: 'k=v,graylane-tag=quiet',
      });
      expect(answer).toMatchObject({ name: 'b[base]', tag: '' });
      expect(answer.baggage ?? '').not.toContain('graylane-tag');
    });

    it('a connection refused moves the request to another instance of the lane', async () => {
      for (let i = 0; i < 10; i++)
        expect(await caller.call(host('r'), gray)).toMatchObject({ name: 'r[gray]' });
    });

    it('a lane whose instances all refuse connections costs no request: the last attempt goes to the baseline', async () => {
      // z: three gray instances nobody listens for (a crashed Deployment, neither expired
      // nor ejected yet) and a baseline registered at b's baseline address.
      for (const port of [1, 2, 3])
        await cp.register(namespace, {
          app: 'z',
          tag: 'gray',
          address: '127.0.0.1',
          ports: { http: port, grpc: port },
        });
      await cp.register(namespace, {
        app: 'z',
        tag: '',
        address: '127.0.0.1',
        ports: { http: bBase.http, grpc: bBase.grpc },
      });
      await waitUntilRoutable(cp, { namespace, app: 'z', tag: 'gray', protocol: adapter.protocol, count: 3 });
      await waitFor('the caller routes to z', async () => (await caller.call(host('z'))).name === 'b[base]');
      for (let i = 0; i < 5; i++)
        expect(await caller.call(host('z'), gray)).toMatchObject({ name: 'b[base]' });
    });

    it('a killed instance costs no request: its lane falls back to the baseline at once', async () => {
      expect((await caller.call(host('k'), gray)).name).toBe('k[gray]');
      await kGray.kill();
      const names: Array<string | undefined> = [];
      for (let i = 0; i < 20; i++) names.push((await caller.call(host('k'), gray)).name ?? 'failed');
      expect(names).toEqual(new Array(20).fill('k[base]'));
    });

    it('an instance bound to ::1 is registered and reached over IPv6', async () => {
      expect((await cp.instances(namespace, 'v6'))[0]?.address).toBe('::1');
      expect((await caller.call(host('v6'))).name).toBe('v6[base]');
    });

    if (adapter.hostNames) {
      it('an app is reached by its Kubernetes names and by the names it declares', async () => {
        const ns = HOP_K8S_NAMESPACE;
        for (const name of [
          `b.${ns}`,
          `b.${ns}.svc`,
          `b.${ns}.svc.cluster.local`,
          `backend.${ns}.svc.cluster.local`,
        ])
          expect((await caller.call(host(name), gray)).name, name).toBe('b[gray]');
      });

      it('a host that names no app passes through untouched', async () => {
        const port = adapter.protocol === 'grpc' ? bBase.grpc : bBase.http;
        expect(await caller.call(`127.0.0.1:${port}`, gray)).toMatchObject({ name: 'b[base]', tag: 'gray' });
      });
    }
  });
}
