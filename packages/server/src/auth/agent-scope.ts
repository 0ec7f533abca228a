import { GraylaneError } from '@graylane/core';
import type { InstanceGuard } from '../store/store.js';
import type { Principal } from './create-auth.js';

/**
 * What an agent token may touch. A token with `apps` acts only for those apps, so a
 * compromised pod cannot register, beat, deregister or report metrics for another
 * app; and an instance belongs to the agent token that registered it, so another
 * agent token cannot overwrite or deregister it. Admins may do both.
 */
export function assertActsFor(principal: Principal, app: string): void {
  if (principal.role !== 'agent' || principal.apps === undefined || principal.apps.includes(app)) return;
  throw new GraylaneError(
    'GL_FORBIDDEN',
    `token "${principal.name}" acts only for ${principal.apps.join(', ')}, not for app "${app}": give the app its own token`,
  );
}

/** The token name an instance written by `principal` is recorded under; an admin keeps the owner. */
export function ownerOf(principal: Principal): string | undefined {
  return principal.role === 'agent' ? principal.name : undefined;
}

export function assertOwns(principal: Principal, id: string, owner: string | null | undefined): void {
  if (principal.role !== 'agent' || owner === null || owner === undefined || owner === principal.name) return;
  throw new GraylaneError(
    'GL_FORBIDDEN',
    `instance "${id}" was registered with another token; only that token (or an admin) may change or deregister it`,
  );
}

/** The check run inside the store's transaction before an instance is written or deleted. */
export function instanceGuard(principal: Principal, id: string): InstanceGuard {
  return (stored) => {
    if (stored === undefined) return;
    assertActsFor(principal, stored.app);
    assertOwns(principal, id, stored.owner);
  };
}
