/** The part of a pino logger the stand-ins use (pass `createLogger(...)` from @switchboard/config). */
export interface StandInLog {
  info(fields: object, message?: string): void;
  warn(fields: object, message?: string): void;
}

export const silentLog: StandInLog = { info: () => undefined, warn: () => undefined };
