/** The agent's own log lines go to stderr with a `[graylane]` prefix, never to the app's logger. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

const rank: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export interface Logger {
  level: LogLevel;
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  /**
   * Logs a problem the first time its code (or `key`, for one line per code and
   * subject) is seen; later ones only at debug level.
   */
  once(code: string, message: string, key?: string): void;
}

export function createLogger(
  level: LogLevel,
  write: (line: string) => void = (l) => process.stderr.write(l),
): Logger {
  const seen = new Set<string>();
  const log = (at: LogLevel) => (message: string) => {
    if (rank[at] >= rank[logger.level]) write(`[graylane] ${at} ${message}\n`);
  };
  const logger: Logger = {
    level,
    debug: log('debug'),
    info: log('info'),
    warn: log('warn'),
    error: log('error'),
    once(code, message, key = code) {
      if (seen.has(key)) return logger.debug(`${code}: ${message}`);
      seen.add(key);
      logger.warn(`${code}: ${message}`);
    },
  };
  return logger;
}
