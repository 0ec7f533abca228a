import { fetchMavenJars } from '../maven/fetch-maven-jars.js';
import { ROCKETMQ_VERSION, type RocketMQPaths } from './rocketmq-paths.js';

/** Makes sure the RocketMQ jars are in the cache and returns their folder. */
export function fetchRocketMQ(paths: RocketMQPaths, log?: (line: string) => void): Promise<string> {
  return fetchMavenJars(
    paths,
    {
      product: 'RocketMQ',
      version: ROCKETMQ_VERSION,
      // proxy pulls the broker, client and auth; namesrv and tools bring the name server and the admin tool.
      artifacts: ['rocketmq-proxy', 'rocketmq-namesrv', 'rocketmq-tools'].map(
        (artifact) => `org.apache.rocketmq:${artifact}:${ROCKETMQ_VERSION}`,
      ),
      mainJar: {
        name: 'rocketmq-proxy',
        matches: (jar) => jar.startsWith(`rocketmq-proxy-${ROCKETMQ_VERSION}`),
      },
      errorCode: 'GL_ROCKETMQ_FETCH_FAILED',
    },
    log,
  );
}
