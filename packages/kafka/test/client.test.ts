import type { Logger } from '@switchboard/config';
import { connectProducer, createKafka } from '../src';

interface Line {
  level: string;
  msg: string | undefined;
  fields: Record<string, unknown>;
}

/** A logger with pino's calling convention that keeps its lines. */
function captureLog(): { log: Logger; lines: Line[] } {
  const lines: Line[] = [];
  const make = (bindings: Record<string, unknown>): unknown => {
    const at = (level: string) => (fields: Record<string, unknown>, msg?: string) => lines.push({ level, msg, fields: { ...bindings, ...fields } });
    return {
      error: at('error'),
      warn: at('warn'),
      info: at('info'),
      debug: at('debug'),
      child: (more: Record<string, unknown>) => make({ ...bindings, ...more }),
    };
  };
  return { log: make({}) as Logger, lines };
}

describe('createKafka', () => {
  const unreachable = { brokers: ['127.0.0.1:1'], clientId: 'log-test', retry: { retries: 0 } };

  it('routes kafkajs errors to the pino logger under component "kafkajs"', async () => {
    const { log, lines } = captureLog();
    await expect(connectProducer(createKafka({ ...unreachable, log }), { log })).rejects.toThrow();
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.every((line) => line.level === 'error' && line.fields.component === 'kafkajs')).toBe(true);
    expect(lines[0]!.fields.namespace).toEqual(expect.any(String));
  });

  it('can be silenced, or made more verbose', async () => {
    const quiet = captureLog();
    await expect(connectProducer(createKafka({ ...unreachable, log: quiet.log, logLevel: 'nothing' }))).rejects.toThrow();
    expect(quiet.lines).toEqual([]);

    const verbose = captureLog();
    await expect(connectProducer(createKafka({ ...unreachable, log: verbose.log, logLevel: 'debug' }))).rejects.toThrow();
    expect(verbose.lines.some((line) => line.level === 'debug')).toBe(true);
  });
});
