import { fetchMavenJars } from '../maven/fetch-maven-jars.js';
import { KAFKA_VERSION, type KafkaPaths } from './kafka-paths.js';

/** Makes sure the Kafka jars are in the cache and returns their folder. */
export function fetchKafka(paths: KafkaPaths, log?: (line: string) => void): Promise<string> {
  return fetchMavenJars(
    paths,
    {
      product: 'Kafka',
      version: KAFKA_VERSION,
      // kafka_2.13 is the server (broker, controller, storage tool); kafka-tools brings TopicCommand;
      // the log4j binding makes the server's slf4j logging readable (it ships none of its own).
      artifacts: [
        `org.apache.kafka:kafka_2.13:${KAFKA_VERSION}`,
        `org.apache.kafka:kafka-tools:${KAFKA_VERSION}`,
        'org.apache.logging.log4j:log4j-slf4j-impl:2.24.3',
      ],
      mainJar: { name: 'kafka_2.13', matches: (jar) => jar === `kafka_2.13-${KAFKA_VERSION}.jar` },
      errorCode: 'GL_KAFKA_FETCH_FAILED',
    },
    log,
  );
}
