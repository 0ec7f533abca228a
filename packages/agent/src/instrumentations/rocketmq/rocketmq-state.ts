import { type ConsumerPlace, type LaneSelection, reportedGroup } from '@graylane/core/runtime';
import type { Agent } from '../../create-agent.js';
import { reportConsumerGroups } from '../consumer-group-report.js';
import type { PatchTools } from '../library-instrumentation.js';
import type { CursorKeeper } from './cursor-keeper.js';
import type { AnyFn, AsyncFn, RocketMQExports } from './rocketmq-types.js';

/** What the roles of the RocketMQ adapter share: one record per instrumented client module. */
export interface RocketMQState {
  agent: Agent;
  mq: RocketMQExports;
  patch: PatchTools['patch'];
  /** Where each started consumer polls. */
  places: Map<object, ConsumerPlace>;
  /** The lane selection a receive request was built with, so its response is checked against the same one. */
  requestSelections: WeakMap<object, LaneSelection>;
  requestGroups: WeakMap<object, string>;
  /** The group each received message came from: acks go there. */
  messageGroups: WeakMap<object, string>;
  keepers: Map<object, CursorKeeper>;
  /** Joins confirmed while a keeper poll was parked on the gray group, reported when it ends. */
  pendingJoins: Set<object>;
  /** The client's own request builder and receive, taken before any patch, for the keeper's polls. */
  buildReceive: AnyFn | undefined;
  receive: AsyncFn | undefined;
  fail(where: string, error: unknown): void;
  /** Tells the registry the groups every consumer polls now. */
  report(): void;
}

export function createRocketMQState(
  agent: Agent,
  mq: RocketMQExports,
  patch: PatchTools['patch'],
): RocketMQState {
  const places = new Map<object, ConsumerPlace>();
  return {
    agent,
    mq,
    patch,
    places,
    requestSelections: new WeakMap(),
    requestGroups: new WeakMap(),
    messageGroups: new WeakMap(),
    keepers: new Map(),
    pendingJoins: new Set(),
    buildReceive: mq.Consumer?.prototype.wrapReceiveMessageRequest,
    receive: mq.Consumer?.prototype.receiveMessage,
    fail: (where, error) =>
      agent.log.once(
        'GL_MQ_INSTRUMENTATION_FAILED',
        `RocketMQ ${where} failed inside the agent (${(error as Error)?.message ?? error}); this message goes on as without the agent`,
      ),
    report() {
      const groups: string[] = [];
      for (const place of places.values()) {
        const group = reportedGroup(place);
        if (group !== undefined) groups.push(group);
      }
      reportConsumerGroups(agent, 'rocketmq', groups);
    },
  };
}
