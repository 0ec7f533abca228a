import { GraylaneError } from '@graylane/core/runtime';

// What brokers say when enablePropertyFilter is false (4.x remoting path and
// proxies in front of such brokers); 5.x pop receives through the local proxy filter anyway.
const SQL92_REFUSED =
  /does not support consumer to filter message by SQL92|enablePropertyFilter|filter.*sql92.*not support/i;

/**
 * Turns a broker's refusal of a SQL92 subscription into GL_MQ_SQL92_UNSUPPORTED,
 * which says what to do; any other error is returned as it is.
 */
export function explainReceiveError(error: unknown, group: string): unknown {
  const message = error instanceof Error ? error.message : String(error);
  if (!SQL92_REFUSED.test(message)) return error;
  return new GraylaneError(
    'GL_MQ_SQL92_UNSUPPORTED',
    `the broker refused the SQL92 filter of consumer group ${group}: set enablePropertyFilter=true in broker.conf, or set filter: client in this app's MessageGrayscale (the agent then filters after receiving)`,
    { cause: error },
  );
}
