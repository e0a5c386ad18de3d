/** Severity levels understood by every {@link Logger}. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

/** A logger is passed into every stage; library code never writes to the console itself. */
export interface Logger {
  /** The lowest level written (optional: a logger may not say). */
  readonly level?: LogLevel;
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

const ORDER: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3, silent: 4 };

/** A logger that drops everything (the default for library calls). */
export const NULL_LOGGER: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/**
 * A logger that writes plain `level: message` lines through `write` (for the CLI: stderr).
 * @param level lowest level written
 * @param write sink for one finished line (without newline)
 */
export function createLineLogger(level: LogLevel, write: (line: string) => void): Logger {
  const min = ORDER[level];
  const at = (l: LogLevel) => (message: string) => {
    if (ORDER[l] >= min) write(`${l === 'info' ? '' : l + ': '}${message}`);
  };
  return { level, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
