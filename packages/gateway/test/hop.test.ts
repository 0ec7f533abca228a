import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ADMIN_TOKEN, gatewayRoute, type HopAnswer, runHopSuite } from '@graylane/test-kit';
import { startGateway } from '../src/index.js';

// The hop suite with the gateway as the caller: GET /<app>/hop goes to an instance
// of <app> through the gateway's route for it.
runHopSuite({
  name: 'the gateway',
  hostNames: false,
  protocol: 'http',
  async start({ cp, namespace }) {
    await cp.apply(
      ['b', 'r', 'k', 'v6', 'z'].map((app) =>
        gatewayRoute(namespace, app, {
          match: { pathPrefix: `/${app}` },
          app,
          stripPrefix: false,
          timeoutMs: 5000,
          // z's lane has three instances that refuse: two retries reach its baseline.
          retries: app === 'z' ? 2 : 1,
        }),
      ),
    );
    const gateway = await startGateway({
      server: cp.url,
      token: ADMIN_TOKEN,
      port: 0,
      host: '127.0.0.1',
      namespace,
      cacheDir: mkdtempSync(join(tmpdir(), 'graylane-gw-cache-')),
      logLevel: 'silent',
    });
    return {
      async call(to, headers = {}): Promise<HopAnswer> {
        const res = await fetch(`${gateway.url}/${to}/hop`, { headers });
        const body = (await res.json()) as HopAnswer & { error?: { code: string; message: string } | string };
        if (body.error !== undefined && typeof body.error === 'object')
          return { status: res.status, error: `${body.error.code}: ${body.error.message}` };
        return { ...body, status: res.status } as HopAnswer;
      },
      close: () => gateway.close(),
    };
  },
});
