import { runHopSuite } from '@graylane/test-kit';
import { agentAdapter } from './support/agent-adapter.js';

// The hop suite over every adapter of the agent: the caller is a plain service under
// the agent that calls the target with CLIENT (see the kit's fixtures/hop-service.mjs).
// GRAYLANE_TEST_NODE runs the suite's services on another node binary (a Node line);
// hop-node-lines.test.ts runs part of it on every supported line.
const node = process.env.GRAYLANE_TEST_NODE || undefined;
const client = (CLIENT: string) => ({ env: { CLIENT } });
for (const adapter of [
  agentAdapter('node:http', client('http'), { protocol: 'http' }),
  agentAdapter('node:https', client('https'), { protocol: 'http', tls: true }),
  // The CA only on the app's own https.Agent, which the agent's lane pool stands in for.
  agentAdapter(
    'node:https with the CA on its own Agent',
    { env: { CLIENT: 'https-agent', NODE_EXTRA_CA_CERTS: '' } },
    { protocol: 'http', tls: true },
  ),
  agentAdapter('fetch', client('fetch'), { protocol: 'http' }),
  // fetch sends every body as a stream, which cannot be sent twice once read.
  agentAdapter('fetch with a POST body', client('fetch-post'), { protocol: 'http' }),
  // The app's own undici dispatchers, the CA on them only: their options must stay.
  agentAdapter(
    'fetch over https with its own undici Agent',
    { env: { CLIENT: 'fetch-agent-https', NODE_EXTRA_CA_CERTS: '' } },
    { protocol: 'http', tls: true },
  ),
  agentAdapter(
    'an undici Pool over https',
    { env: { CLIENT: 'undici-pool-https', NODE_EXTRA_CA_CERTS: '' } },
    { protocol: 'http', tls: true },
  ),
  agentAdapter('fetch over https', client('fetch-https'), { protocol: 'http', tls: true }),
  agentAdapter('undici.request', client('undici'), { protocol: 'http' }),
  agentAdapter('gRPC unary', client('grpc-unary'), { protocol: 'grpc', port: 50051 }),
  agentAdapter('gRPC server streaming', client('grpc-stream'), { protocol: 'grpc', port: 50051 }),
  agentAdapter('gRPC bidi streaming', client('grpc-bidi'), { protocol: 'grpc', port: 50051 }),
])
  runHopSuite(adapter, node ? { node } : {});
