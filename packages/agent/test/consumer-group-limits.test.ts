import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAgentConfig } from '../src/agent-config.js';
import { type Agent, createAgent } from '../src/create-agent.js';
import { createLogger } from '../src/logger.js';
import { ADMIN_TOKEN, type ControlPlane, cacheDir, startControlPlane, waitFor } from './support/cluster.js';

// An app whose consumers sit in more (or longer-named) groups than the registry takes for
// one instance must still be registered and routable: the agent reports what fits.
describe('consumer groups beyond the registry limits', () => {
  let cp: ControlPlane;
  let agent: Agent;
  const lines: string[] = [];

  beforeAll(async () => {
    cp = await startControlPlane();
    const config = readAgentConfig({
      GRAYLANE_SERVER: cp.url,
      GRAYLANE_APP: 'orders',
      GRAYLANE_NAMESPACE: 'limits',
      GRAYLANE_TOKEN: ADMIN_TOKEN,
      GRAYLANE_HOST: '127.0.0.1',
      GRAYLANE_CACHE_DIR: cacheDir(),
    });
    agent = createAgent(
      config,
      createLogger('warn', (line) => lines.push(line)),
    );
    agent.listening('http', 18080, '127.0.0.1');
  });
  afterAll(async () => {
    await agent?.stop();
    await cp?.close();
  });

  it('registers the instance with the groups that fit and logs the rest once with its code', async () => {
    const many = Array.from({ length: 120 }, (_, i) => `${'orders-audit-'.repeat(15)}${i}`);
    const tooLong = 'x'.repeat(300);
    agent.consumerGroups([...many, tooLong], { kafka: [...many, tooLong] });
    type Registered = { consumerGroups?: string[]; metadata?: Record<string, string> };
    const registered = async () => ((await cp.instances('limits', 'orders'))[0] ?? {}) as Registered;
    await waitFor('the instance registered with its groups', async () => {
      const groups = (await registered()).consumerGroups?.length ?? 0;
      return groups > 0 || `${groups} groups`;
    });
    const instance = await registered();
    expect(instance.consumerGroups).toHaveLength(100);
    expect(instance.consumerGroups).not.toContain(tooLong);
    const kafka = instance.metadata?.['consumer-groups.kafka'] ?? '';
    expect(kafka.length).toBeGreaterThan(0);
    expect(kafka.length).toBeLessThanOrEqual(4096);
    const trimmed = lines.filter((l) => l.includes('GL_CONSUMER_GROUPS_TRIMMED'));
    expect(trimmed).toHaveLength(1);
    // Reported again (a consumer joins), it stays one line.
    agent.consumerGroups([...many, tooLong, 'one-more'], { kafka: [...many, tooLong, 'one-more'] });
    expect(lines.filter((l) => l.includes('GL_CONSUMER_GROUPS_TRIMMED'))).toHaveLength(1);
  });
});
