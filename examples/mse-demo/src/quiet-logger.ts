// rocketmq-client-nodejs logs to ~/logs/rocketmq by default; the demo keeps its output on the console.
const noop = () => {};
export const quietLogger = {
  info: noop,
  debug: noop,
  trace: noop,
  warn: (...args: unknown[]) => console.warn('[rocketmq]', ...args),
  error: (...args: unknown[]) => console.error('[rocketmq]', ...args),
  fatal: (...args: unknown[]) => console.error('[rocketmq]', ...args),
  child: () => quietLogger,
  close: noop,
};
