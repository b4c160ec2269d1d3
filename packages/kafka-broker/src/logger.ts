/** Fields attached to a log line; never message bodies or secrets. */
export type LogFields = Record<string, unknown>;

export interface Logger {
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

function line(level: string, message: string, fields?: LogFields): string {
  return `${JSON.stringify({ time: new Date().toISOString(), level, component: 'kafka-broker', message, ...fields })}\n`;
}

/** Default logger: JSON lines on stderr, warnings and errors only. */
export const stderrLogger: Logger = {
  info: () => {},
  warn: (message, fields) => process.stderr.write(line('warn', message, fields)),
  error: (message, fields) => process.stderr.write(line('error', message, fields)),
};

/** JSON lines on stderr at every level (the CLI uses it). */
export const verboseStderrLogger: Logger = {
  ...stderrLogger,
  info: (message, fields) => process.stderr.write(line('info', message, fields)),
};

export const silentLogger: Logger = { info: () => {}, warn: () => {}, error: () => {} };

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
