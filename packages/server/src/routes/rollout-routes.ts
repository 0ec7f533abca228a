import { actOn, GraylaneError, type RolloutAction, rolloutActions } from '@graylane/core';
import type { createRouter } from '../http/router.js';
import { sendWebhooks } from '../rollouts/send-webhooks.js';
import type { ServerContext } from '../server-context.js';
import { namespaceParam } from './params.js';

/** `POST /v1/namespaces/{ns}/rollouts/{name}/{promote|pause|resume|abort|retry}`: a person's verb. */
export function rolloutRoutes(router: ReturnType<typeof createRouter>, app: ServerContext): void {
  for (const action of rolloutActions) {
    router.add('POST', `/v1/namespaces/{ns}/rollouts/{name}/${action}`, 'write', async (ctx) => {
      const ns = namespaceParam(ctx.params);
      const name = ctx.params.name!;
      // The controller may write between our read and our write; the write is conditional, so try again.
      for (let attempt = 0; attempt < 5; attempt++) {
        const rollout = await app.store.getResource(ns, 'Rollout', name);
        if (rollout?.kind !== 'Rollout') {
          throw new GraylaneError(
            'GL_NOT_FOUND',
            `Rollout/${name} does not exist in namespace ${ns}: list them with graylane get rollouts -n ${ns}`,
          );
        }
        const status = await app.store.getRolloutStatus(ns, name);
        if (status === undefined || status.observedVersion !== rollout.metadata.resourceVersion) {
          throw new GraylaneError(
            'GL_ROLLOUT_STATE',
            `Rollout/${name} has not started its current spec yet: wait a moment (the controller starts it within a second) and ${action} again`,
          );
        }
        const next = actOn(rollout.spec, status, action as RolloutAction, Date.now(), ctx.principal.name);
        const change = await app.store.putRolloutStatus(ns, name, next, {
          expect: status.updatedAt,
          audit: { actor: ctx.principal.name, action: `rollout-${action}`, before: status, after: next },
        });
        if (change === undefined) continue;
        await app.hub.publish([change]);
        if (next.phase !== status.phase) void sendWebhooks(rollout, next, status.phase, app.log);
        return { status: 200, body: { ...rollout, status: next } };
      }
      throw new GraylaneError(
        'GL_CONFLICT',
        `Rollout/${name} kept changing while ${action} was applied: try again`,
      );
    });
  }
}
