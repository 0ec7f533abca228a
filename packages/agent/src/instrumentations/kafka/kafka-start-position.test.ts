import { describe, expect, it } from 'vitest';
import { type AdminLike, laneGroupStart } from './kafka-start-position.js';

type Offsets = Record<string, Record<string, string[]>>; // group → topic → offset per partition

/** An admin over committed offsets held in memory; what it was asked to do is in `calls`. */
function adminOver(offsets: Offsets, options: { live?: string[] } = {}) {
  const calls: string[] = [];
  const admin: AdminLike = {
    connect: async () => {},
    disconnect: async () => {},
    listTopics: async () => ['orders', 'orders-retry', 'payments'],
    async fetchOffsets({ groupId, topics }) {
      return topics.map((topic) => ({
        topic,
        partitions: (offsets[groupId]?.[topic] ?? ['-1', '-1']).map((offset, partition) => ({
          partition,
          offset,
        })),
      }));
    },
    async setOffsets({ groupId, topic, partitions }) {
      calls.push(`set ${groupId} ${topic} ${partitions.map((p) => `${p.partition}:${p.offset}`).join(',')}`);
      offsets[groupId] = { ...offsets[groupId], [topic]: partitions.map((p) => p.offset) };
    },
    async deleteGroups(groupIds) {
      calls.push(`delete ${groupIds.join(',')}`);
      if (groupIds.some((g) => options.live?.includes(g)))
        throw Object.assign(new Error('group not empty'), {
          groups: [{ error: { type: 'NON_EMPTY_GROUP' } }],
        });
      for (const g of groupIds) delete offsets[g];
    },
  };
  return { admin, calls };
}

const groups = { lane: 'orders_gray', original: 'orders' };

describe('laneGroupStart', () => {
  it('places a brand-new lane group where the original group stands, whatever the app asked for', async () => {
    const { admin, calls } = adminOver({ orders: { orders: ['40', '17'] } });
    await expect(laneGroupStart(admin, groups, ['orders'], true)).resolves.toEqual({
      start: 'placed',
      positioned: true,
    });
    expect(calls).toEqual(['set orders_gray orders 0:40,1:17']);
  });

  it('resumes a lane group that has committed offsets when its consumer restarts', async () => {
    const { admin, calls } = adminOver({
      orders: { orders: ['40', '17'] },
      orders_gray: { orders: ['35', '12'] },
    });
    await expect(laneGroupStart(admin, groups, ['orders'], true)).resolves.toEqual({
      start: 'resume',
      positioned: true,
    });
    expect(calls).toEqual([]);
  });

  it('drops the stale offsets of a lane group entered again and places it anew', async () => {
    const { admin, calls } = adminOver({
      orders: { orders: ['90', '60'] },
      orders_gray: { orders: ['35', '12'] },
    });
    await expect(laneGroupStart(admin, groups, ['orders'], false)).resolves.toEqual({
      start: 'placed',
      positioned: true,
    });
    expect(calls).toEqual(['delete orders_gray', 'set orders_gray orders 0:90,1:60']);
  });

  it('joins a lane group that other members consume from, keeping its offsets', async () => {
    const { admin, calls } = adminOver(
      { orders: { orders: ['90', '60'] }, orders_gray: { orders: ['35', '12'] } },
      { live: ['orders_gray'] },
    );
    await expect(laneGroupStart(admin, groups, ['orders'], false)).resolves.toEqual({
      start: 'resume',
      positioned: true,
    });
    expect(calls).toEqual(['delete orders_gray']);
  });

  it('leaves a partition the original group never committed to start at the newest message', async () => {
    const { admin, calls } = adminOver({ orders: { orders: ['40', '-1'] } });
    await expect(laneGroupStart(admin, groups, ['orders'], true)).resolves.toEqual({
      start: 'placed',
      positioned: false,
    });
    expect(calls).toEqual(['set orders_gray orders 0:40']);
  });

  it('matches subscription patterns against the topics the broker has', async () => {
    const { admin, calls } = adminOver({ orders: { orders: ['1', '2'], 'orders-retry': ['3', '4'] } });
    await laneGroupStart(admin, groups, [/^orders/], true);
    expect(calls).toEqual(['set orders_gray orders 0:1,1:2', 'set orders_gray orders-retry 0:3,1:4']);
  });
});
