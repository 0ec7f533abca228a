import { type HopAdapter, type HopAnswer, runHopSuite, startService } from '@graylane/test-kit';

// The hop suite over every adapter of the agent: the caller is a plain service under
// the agent that calls the target with CLIENT (see the kit's fixtures/hop-service.mjs).
function agentAdapter(
  name: string,
  client: string,
  more: Pick<HopAdapter, 'tls' | 'port' | 'protocol'>,
): HopAdapter {
  return {
    name,
    hostNames: true,
    ...more,
    async start({ cp, namespace, node, callerEnv }) {
      const a = await startService({
        app: 'a',
        server: cp.url,
        namespace,
        ...(node ? { node } : {}),
        env: { ...callerEnv, CLIENT: client },
      });
      return {
        async call(to, headers = {}): Promise<HopAnswer> {
          const res = await fetch(`http://127.0.0.1:${a.http}/hop?to=${encodeURIComponent(to)}`, { headers });
          const body = (await res.json()) as { next?: HopAnswer; error?: string };
          return { status: res.status, ...(body.next ?? {}), ...(body.error ? { error: body.error } : {}) };
        },
        close: () => a.stop(),
      };
    },
  };
}

// GRAYLANE_TEST_NODE runs the suite's services on another node binary (a Node line).
const node = process.env.GRAYLANE_TEST_NODE || undefined;
for (const adapter of [
  agentAdapter('node:http', 'http', { protocol: 'http' }),
  agentAdapter('node:https', 'https', { protocol: 'http', tls: true }),
  agentAdapter('fetch', 'fetch', { protocol: 'http' }),
  agentAdapter('fetch over https', 'fetch-https', { protocol: 'http', tls: true }),
  agentAdapter('undici.request', 'undici', { protocol: 'http' }),
  agentAdapter('gRPC unary', 'grpc-unary', { protocol: 'grpc', port: 50051 }),
  agentAdapter('gRPC server streaming', 'grpc-stream', { protocol: 'grpc', port: 50051 }),
])
  runHopSuite(adapter, node ? { node } : {});
