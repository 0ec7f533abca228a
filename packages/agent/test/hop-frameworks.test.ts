import { runHopSuite } from '@graylane/test-kit';
import { agentAdapter } from './support/agent-adapter.js';

// The hop suite with the popular frameworks and clients as the caller: an app with
// no Graylane import (fixtures/frameworks/app.mjs, or app.cjs under --require) serves
// `/hop` with INBOUND and calls the target with OUTBOUND. Every client runs in both
// module systems; the frameworks rotate so each serves in ESM and in CommonJS.
const pairs = [
  ['express', 'axios'],
  ['fastify', 'got'],
  ['koa', 'node-fetch'],
  ['nest', 'undici-request'],
  ['hapi', 'undici-pool'],
] as const;
const inbounds = pairs.map(([inbound]) => inbound);

for (const [module, shift] of [
  ['esm', 0],
  ['cjs', 2],
] as const) {
  pairs.forEach(([, outbound], i) => {
    const inbound = inbounds[(i + shift) % inbounds.length]!;
    runHopSuite(
      agentAdapter(
        `${outbound} from ${inbound} (${module})`,
        {
          script: `frameworks/app.${module === 'esm' ? 'mjs' : 'cjs'}`,
          module,
          env: { INBOUND: inbound, OUTBOUND: outbound },
        },
        { protocol: 'http' },
      ),
    );
  });
}
