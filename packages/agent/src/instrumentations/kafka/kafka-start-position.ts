/** The part of a kafkajs admin client used to place a lane group. */
export interface AdminLike {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  listTopics(): Promise<string[]>;
  fetchOffsets(options: {
    groupId: string;
    topics: string[];
  }): Promise<{ topic: string; partitions: { partition: number; offset: string }[] }[]>;
  deleteGroups(groupIds: string[]): Promise<unknown>;
}

export type TopicPattern = string | RegExp;

/**
 * Where a lane group starts when a consumer enters it: `end` (the consumer subscribes
 * with `fromBeginning: false`, so partitions without a committed offset start at the
 * newest message) or `resume` (its committed offsets stand).
 *
 * A lane group must never replay what the original group has handled already, whatever
 * `fromBeginning` the app passed: a group that has never committed starts at the end; a
 * group entered again after grayscale was off has stale offsets, which are deleted (with
 * the group) so it starts at the end too. On a first start (`firstStart`, a consumer
 * restarting while grayscale stays on) committed offsets are resumed, as without the
 * agent; and a group with live members keeps its offsets: those members consume from them.
 */
export async function laneGroupStart(
  admin: AdminLike,
  groupId: string,
  patterns: readonly TopicPattern[],
  firstStart: boolean,
): Promise<'end' | 'resume'> {
  await admin.connect();
  try {
    const topics = await matchingTopics(admin, patterns);
    if (topics.length === 0) return 'end';
    const committed = await admin.fetchOffsets({ groupId, topics });
    const hasPosition = committed.some((t) => t.partitions.some((p) => p.offset !== '-1'));
    if (!hasPosition) return 'end';
    if (firstStart) return 'resume';
    try {
      await admin.deleteGroups([groupId]);
    } catch (error) {
      // NON_EMPTY_GROUP: other members consume from its offsets; join them.
      if (/NON_EMPTY|not empty/i.test(describe(error))) return 'resume';
      throw error;
    }
    return 'end';
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

function describe(error: unknown): string {
  const e = error as { message?: string; groups?: { error?: { type?: string; message?: string } }[] };
  return [e?.message, ...(e?.groups ?? []).flatMap((g) => [g.error?.type, g.error?.message])].join(' ');
}

async function matchingTopics(admin: AdminLike, patterns: readonly TopicPattern[]): Promise<string[]> {
  const names = new Set(patterns.filter((p): p is string => typeof p === 'string'));
  const regexps = patterns.filter((p): p is RegExp => p instanceof RegExp);
  if (regexps.length > 0) {
    for (const topic of await admin.listTopics()) if (regexps.some((r) => r.test(topic))) names.add(topic);
  }
  return [...names].sort();
}
