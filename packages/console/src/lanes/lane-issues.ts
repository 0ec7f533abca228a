import { laneSchema } from '@graylane/core';
import type { Issue } from '../api-client.js';

/** Problems by dotted path (`spec.entry.match.all.0.value`), from core's schema or the server. */
export type IssueMap = ReadonlyMap<string, string[]>;

export function toIssueMap(issues: readonly Issue[]): IssueMap {
  const map = new Map<string, string[]>();
  for (const i of issues) map.set(i.path, [...(map.get(i.path) ?? []), i.message]);
  return map;
}

/** Validates a lane document in the browser with the same schema the server uses. */
export function validateLane(doc: unknown): Issue[] {
  const result = laneSchema.safeParse(doc);
  if (result.success) return [];
  return result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
}
