import { runHopSuite } from '@graylane/test-kit';
import { requiredNodeLines } from '../../../scripts/node-lines.mjs';
import { agentAdapter } from './support/agent-adapter.js';

// The hop suite on every supported Node line (services on the line's binary, the
// control plane on the default node), over the adapters whose machinery changes
// between lines: node:http, fetch (Node's own undici: 6 on Node 20 and 22, 7 on 24,
// 8 on 26) and the app's undici.request. gRPC runs on every line in node-lines.test.ts.
for (const { version, bin } of requiredNodeLines()) {
  for (const [name, CLIENT] of [
    ['node:http', 'http'],
    ['fetch', 'fetch'],
    ['undici.request', 'undici'],
  ] as const) {
    runHopSuite(agentAdapter(`${name} on Node ${version}`, { env: { CLIENT } }, { protocol: 'http' }), {
      node: bin,
    });
  }
}
