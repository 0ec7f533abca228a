/** The part of a kafkajs admin client used to place a lane group. */
export interface AdminLike {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  listTopics(): Promise<string[]>;
  fetchOffsets(options: {
    groupId: string;
    topics: string[];
  }): Promise<{ topic: string; partitions: { partition: number; offset: string }[] }[]>;
  setOffsets(options: {
    groupId: string;
    topic: string;
    partitions: { partition: number; offset: string }[];
  }): Promise<void>;
  deleteGroups(groupIds: string[]): Promise<unknown>;
}

export type TopicPattern = string | RegExp;

/** Where a lane group starts, and whether the broker holds a position for every partition. */
export interface LaneGroupStart {
  /** `resume`: its committed offsets stand; `placed`: it starts where the original group stands. */
  start: 'placed' | 'resume';
  /**
   * Every partition has a committed offset now: the baseline may leave the tag to the lane
   * at once, before its consumer even joins (what it skips lies at or after them). Else a
   * partition without one starts at the newest message when the consumer first fetches.
   */
  positioned: boolean;
}

/**
 * Where a lane group starts when a consumer enters it: `resume` (its committed offsets
 * stand) or `placed` (it starts where the original group stands: the original group's
 * committed offsets, copied; a partition the original group has none for starts at the
 * newest message, as the lane consumer always subscribes with `fromBeginning: false`).
 *
 * A lane group must never replay what the original group has handled, whatever
 * `fromBeginning` the app passed, and must not lose what it has not: the baseline skips
 * the tag's messages from the moment the lane group reports itself joined, wherever it
 * is in its partitions then. Starting at "the newest message" when the lane group joins
 * loses the tag's messages the baseline had not reached yet (it lags while its group
 * rebalances, e.g. when this very consumer leaves it); starting at the original group's
 * committed offsets, read after this consumer left that group, cannot: every message the
 * baseline skips later lies at or after them. The price is at-least-once: a message the
 * baseline handled but had not committed yet is handled by the lane too.
 *
 * A group that never committed is placed so; a group entered again after grayscale was
 * off has stale offsets, which are deleted (with the group) and placed again. On a first
 * start (`firstStart`, a consumer restarting while grayscale stays on) committed offsets
 * are resumed, as without the agent; and a group with live members keeps its offsets:
 * those members consume from them.
 */
export async function laneGroupStart(
  admin: AdminLike,
  groups: { lane: string; original: string },
  patterns: readonly TopicPattern[],
  firstStart: boolean,
): Promise<LaneGroupStart> {
  await admin.connect();
  try {
    const topics = await matchingTopics(admin, patterns);
    if (topics.length === 0) return { start: 'placed', positioned: false };
    const committed = await admin.fetchOffsets({ groupId: groups.lane, topics });
    const resume = { start: 'resume', positioned: everyPartitionHeld(committed) } as const;
    if (committed.some((t) => t.partitions.some((p) => p.offset !== '-1'))) {
      if (firstStart) return resume;
      try {
        await admin.deleteGroups([groups.lane]);
      } catch (error) {
        // NON_EMPTY_GROUP: other members consume from its offsets; join them.
        if (nonEmpty(error)) return resume;
        throw error;
      }
    }
    const original = await admin.fetchOffsets({ groupId: groups.original, topics });
    for (const { topic, partitions } of original) {
      const held = partitions.filter((p) => p.offset !== '-1');
      if (held.length === 0) continue;
      try {
        await admin.setOffsets({
          groupId: groups.lane,
          topic,
          partitions: held.map(({ partition, offset }) => ({ partition, offset })),
        });
      } catch (error) {
        // Another member (a second replica of this lane) joined first and placed it.
        if (nonEmpty(error)) return { start: 'resume', positioned: false };
        throw error;
      }
    }
    return { start: 'placed', positioned: everyPartitionHeld(original) };
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

function everyPartitionHeld(offsets: { partitions: { offset: string }[] }[]): boolean {
  return offsets.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.offset !== '-1'));
}

function nonEmpty(error: unknown): boolean {
  const e = error as { message?: string; groups?: { error?: { type?: string; message?: string } }[] };
  const text = [e?.message, ...(e?.groups ?? []).flatMap((g) => [g.error?.type, g.error?.message])].join(' ');
  return /NON_EMPTY|not empty|no running instances/i.test(text);
}

async function matchingTopics(admin: AdminLike, patterns: readonly TopicPattern[]): Promise<string[]> {
  const names = new Set(patterns.filter((p): p is string => typeof p === 'string'));
  const regexps = patterns.filter((p): p is RegExp => p instanceof RegExp);
  if (regexps.length > 0) {
    for (const topic of await admin.listTopics()) if (regexps.some((r) => r.test(topic))) names.add(topic);
  }
  return [...names].sort();
}
