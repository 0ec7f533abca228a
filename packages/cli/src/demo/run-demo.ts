import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startGateway } from '@graylane/gateway';
import { startServer } from '@graylane/server';
import { startRocketMQ } from '../rocketmq/start-rocketmq.js';
import { demoLane, demoMessageGrayscale, demoRoute } from './demo-resources.js';
import { type DemoService, startDemoService } from './demo-services.js';

export interface DemoOptions {
  /** Run the self-check and return instead of waiting for Ctrl-C. */
  check: boolean;
  log: (line: string) => void;
  serverPort: number;
  gatewayPort: number;
  /** RocketMQ ports; the check uses its own so it never meets a developer's broker. */
  brokerPorts?: { namesrv: number; proxy: number; remoting: number; broker: number };
  dataDir?: string;
}

export interface RunningDemo {
  server: string;
  gateway: string;
  token: string;
  services: DemoService[];
  apply(yaml: string): Promise<void>;
  stop(): Promise<void>;
}

/** Starts everything of the reference scenario, with progress lines; stops what it started on failure. */
export async function startDemo(options: DemoOptions): Promise<RunningDemo> {
  const { log } = options;
  const stops: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const s of stops.reverse()) await s().catch(() => {});
    stops.length = 0;
  };
  const step = async <T>(what: string, work: () => Promise<T>): Promise<T> => {
    const started = Date.now();
    log(`  … ${what}`);
    const result = await work();
    log(`  ✓ ${what} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    return result;
  };
  try {
    const broker = await step(
      'RocketMQ 5.3 (name server + proxy; the first run downloads it from Maven Central)',
      () =>
        startRocketMQ({
          name: options.check ? 'demo-check' : 'demo',
          ports: options.brokerPorts,
          fresh: true,
        }),
    );
    stops.push(() => broker.stop({ force: true }));
    await step('topic TEST_MQ', () => broker.createTopic('TEST_MQ'));

    const token = `gl_demo_${randomBytes(12).toString('hex')}`;
    const data = options.dataDir ?? mkdtempSync(join(tmpdir(), 'graylane-demo-'));
    mkdirSync(data, { recursive: true });
    const server = await step('control plane (SQLite)', () =>
      startServer({ port: options.serverPort, data, adminToken: token, log: () => {} }),
    );
    stops.push(() => server.close());
    const apply = async (yaml: string) => {
      const res = await fetch(`${server.url}/v1/apply`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/yaml' },
        body: yaml,
      });
      if (!res.ok) throw new Error(`apply failed: ${res.status} ${await res.text()}`);
    };
    await step('route /A → spring-cloud-a, lane name=xiaoming → gray, message grayscale', () =>
      apply([demoRoute, demoLane, demoMessageGrayscale([])].join('---\n')),
    );

    const cacheDir = mkdtempSync(join(tmpdir(), 'graylane-demo-cache-'));
    const env = { server: server.url, token, endpoints: broker.endpoints, cacheDir };
    const services = await step('A, B and C, each baseline and gray, under the agent', async () => {
      const list = (['c', 'b', 'a'] as const).flatMap((letter) => [
        startDemoService(letter, '', env),
        startDemoService(letter, 'gray', env),
      ]);
      stops.push(async () => {
        await Promise.all(list.map((s) => s.stop()));
      });
      await Promise.all(list.map((s) => s.waitForLine(/listening on/, 30000)));
      await Promise.all(
        list.filter((s) => s.app === 'spring-cloud-a').map((s) => s.waitForLine(/consuming/, 60000)),
      );
      return list;
    });

    const gateway = await step(`gateway on port ${options.gatewayPort || '(any)'}`, () =>
      startGateway({ server: server.url, token, port: options.gatewayPort, cacheDir, logLevel: 'warn' }),
    );
    stops.push(() => gateway.close());

    await step('every instance registered and routable', async () => {
      const deadline = Date.now() + 30000;
      for (;;) {
        const text = await fetch(`${gateway.url}/A/dubbo?name=xiaoming`).then((r) => r.text(), String);
        if (/^A\[.*\]\[gray\] -> B\[.*\]\[gray\] -> C\[.*\]\[gray\]$/.test(text)) return;
        if (Date.now() > deadline) throw new Error(`the chain did not come up: last answer "${text}"`);
        await new Promise((r) => setTimeout(r, 300));
      }
    });
    return { server: server.url, gateway: gateway.url, token, services, apply, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
