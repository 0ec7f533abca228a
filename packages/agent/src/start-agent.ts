import Module from 'node:module';
import { formatError, GraylaneError } from '@graylane/core/runtime';
import { readAgentConfig } from './agent-config.js';
import { type Agent, createAgent } from './create-agent.js';
import { instrumentFetch } from './instrumentations/fetch.js';
import { instrumentGrpc } from './instrumentations/grpc.js';
import { instrumentGrpcDefinitions } from './instrumentations/grpc-idempotent.js';
import { instrumentHttpClient } from './instrumentations/http-client.js';
import { instrumentHttpServer } from './instrumentations/http-server.js';
import { kafkajsInstrumentation } from './instrumentations/kafka/instrument-kafkajs.js';
import { applyInstrumentation } from './instrumentations/library-instrumentation.js';
import { onModuleLoad } from './instrumentations/module-hook.js';
import { rocketmqInstrumentation } from './instrumentations/rocketmq/instrument-rocketmq.js';
import { instrumentUndiciPools, UNDICI_MODULE } from './instrumentations/undici-pools.js';
import { createLogger } from './logger.js';

const started = Symbol.for('graylane.agent');
const holder = globalThis as unknown as Record<symbol, Agent | undefined>;

/**
 * Starts the agent once per process from the environment. Never throws: a bad
 * configuration or an internal failure leaves the app running without the agent.
 */
export function startAgent(env: NodeJS.ProcessEnv = process.env): Agent | undefined {
  if (holder[started]) return holder[started];
  const fallbackLog = createLogger((env.GRAYLANE_LOG_LEVEL as never) || 'warn');
  try {
    const config = readAgentConfig(env);
    if (config.disabled) {
      fallbackLog.debug('GRAYLANE_DISABLED is set: the agent is off');
      return undefined;
    }
    const log = createLogger(config.logLevel);
    if (!config.server)
      log.warn('GRAYLANE_SERVER is not set: routing only from the cached config, nothing reported');
    const agent = createAgent(config, log);
    holder[started] = agent;
    const undo: (() => void)[] = [
      instrumentHttpServer(agent),
      instrumentHttpClient(agent),
      instrumentFetch(agent),
      onModuleLoad(
        {
          '/@grpc/grpc-js/build/src/index.js': (exports) =>
            undo.push(instrumentGrpc(exports as never, agent)),
          '/@grpc/grpc-js/build/src/make-client.js': (exports) =>
            undo.push(instrumentGrpcDefinitions(exports as never)),
          [UNDICI_MODULE]: (exports) => undo.push(instrumentUndiciPools(exports as never, agent)),
          ...Object.fromEntries(
            [rocketmqInstrumentation, kafkajsInstrumentation].map((library) => [
              library.module,
              (exports: unknown, filename: string) =>
                undo.push(applyInstrumentation(library, exports, filename, agent)),
            ]),
          ),
        },
        (error) => log.once('GL_INTERNAL', `instrumenting a library failed: ${(error as Error).message}`),
      ),
    ];
    // ESM named imports of node:http see the patched functions only after a sync.
    Module.syncBuiltinESMExports();
    deregisterOnSignals(agent);
    log.info(
      `agent on: app ${config.app}, tag ${config.tag || '(baseline)'}, namespace ${config.namespace}, control plane ${config.server || '(none)'}`,
    );
    return agent;
  } catch (error) {
    const e = GraylaneError.from(error);
    fallbackLog.error(`${formatError(e)}\nthe agent is off; the application runs without lane routing`);
    return undefined;
  }
}

/**
 * Deregisters on SIGTERM/SIGINT. When the app has its own handler it decides when
 * to exit; otherwise the default (exit) is kept, after at most ~300 ms spent
 * telling the control plane.
 */
function deregisterOnSignals(agent: Agent): void {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    const onSignal = () => {
      const alone = process.listenerCount(signal) === 1;
      process.removeListener(signal, onSignal);
      const stopping = agent.stop();
      if (alone) void stopping.finally(() => process.kill(process.pid, signal));
    };
    process.on(signal, onSignal);
  }
}
