import type { Rollout, RolloutStatus } from '@graylane/core';

const ATTEMPTS = 4;

/**
 * POSTs a rollout's phase change to each of its webhooks, retrying with a
 * growing delay (0.5 s, 1 s, 2 s) on a network error or a non-2xx answer. It
 * never throws: a hook that stays down is logged with GL_ROLLOUT_WEBHOOK_FAILED.
 */
export async function sendWebhooks(
  rollout: Rollout,
  status: RolloutStatus,
  previousPhase: string | null,
  log: (line: string) => void,
): Promise<void> {
  const body = JSON.stringify({
    kind: 'Rollout',
    namespace: rollout.metadata.namespace,
    name: rollout.metadata.name,
    lane: rollout.spec.lane,
    phase: status.phase,
    previousPhase,
    step: status.step,
    weight: status.weight,
    message: status.message,
    lastAnalysis: status.analysis.at(-1) ?? null,
    at: status.updatedAt,
  });
  await Promise.all(
    rollout.spec.webhooks.map(async (hook) => {
      let last = '';
      for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
        if (attempt > 0) await new Promise((r) => setTimeout(r, 250 * 2 ** attempt));
        try {
          const res = await fetch(hook.url, {
            method: 'POST',
            headers: { 'content-type': 'application/json', ...hook.headers },
            body,
            signal: AbortSignal.timeout(5000),
          });
          await res.arrayBuffer().catch(() => undefined);
          if (res.ok) return;
          last = `HTTP ${res.status}`;
        } catch (error) {
          last = (error as Error).message;
        }
      }
      log(
        `GL_ROLLOUT_WEBHOOK_FAILED: Rollout/${rollout.metadata.name} ${status.phase}: ${hook.url} failed ${ATTEMPTS} times (${last})`,
      );
    }),
  );
}
