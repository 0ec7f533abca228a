import { GraylaneError } from '@graylane/core';
import { prepareRuntime } from './prepare-runtime.js';
import { resolveCacheRoot, rocketmqPaths } from './rocketmq-paths.js';
import { runAdmin } from './run-admin.js';

export interface ConsumerBacklogOptions {
  /** Name server address `host:port`. */
  namesrv: string;
  group: string;
  /**
   * The topic whose backlog counts. Also needed to find a broker: without it the tool
   * looks up the group's `%RETRY%` topic, which a 5.x pop consumer may never create.
   */
  topic: string;
  cacheRoot?: string;
}

/** What a consumer group has not consumed yet, as the broker counts it. */
export interface ConsumerBacklog {
  group: string;
  topic: string;
  /** Messages stored but not yet consumed (`Consume Diff Total`, retry topic included). */
  diff: number;
  /** Messages handed out and not acknowledged yet (`Consume Inflight Total`). */
  inflight: number;
}

/**
 * Asks the broker how far behind a consumer group is, with `mqadmin consumerProgress`.
 * The admin tool exits 0 whatever happened, so an answer without its totals is an error.
 */
export async function consumerBacklog(options: ConsumerBacklogOptions): Promise<ConsumerBacklog> {
  const paths = rocketmqPaths(options.cacheRoot ?? resolveCacheRoot());
  const runtime = await prepareRuntime(paths);
  const { output } = await runAdmin(
    { ...runtime, home: paths.adminHome },
    ['consumerProgress', '-n', options.namesrv, '-g', options.group, '-t', options.topic],
    // The inflight total is the last line it prints for one group.
    (stdout) => /Inflight Total:\s*\d+\r?\n/.test(stdout),
  );
  const backlog = parseConsumerProgress(options.group, options.topic, output);
  if (backlog === undefined) {
    throw new GraylaneError(
      'GL_BROKER_QUERY_FAILED',
      `cannot read the backlog of consumer group ${options.group} on ${options.topic} from ${options.namesrv}: ` +
        `the admin tool answered "${output.trim().slice(0, 500) || '(nothing)'}"`,
    );
  }
  return backlog;
}

/** Reads the totals of `consumerProgress -g GROUP -t TOPIC`; undefined when the output has none. */
export function parseConsumerProgress(
  group: string,
  topic: string,
  output: string,
): ConsumerBacklog | undefined {
  const diff = /Diff Total:\s*(-?\d+)/.exec(output);
  if (diff === null) return undefined;
  const inflight = /Inflight Total:\s*(\d+)/.exec(output);
  if (inflight === null) return undefined;
  return { group, topic, diff: Number(diff[1]), inflight: Number(inflight[1]) };
}
