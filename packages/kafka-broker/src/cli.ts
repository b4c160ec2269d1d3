import path from 'node:path';
import { parseArgs } from 'node:util';
import { startBroker } from './broker';
import { errorMessage, stderrLogger, verboseStderrLogger } from './logger';

const USAGE = `Usage: kafka-broker [--port 9092] [--host 127.0.0.1] [--data-dir .data/kafka | --in-memory]
                    [--partitions 1] [--no-auto-create] [--retention-ms N] [--retention-bytes N]
                    [--max-message-bytes N] [--verbose]`;

function integerFlag(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^-?\d+$/.test(value)) throw new Error(`--${name} must be an integer, got "${value}"`);
  return Number(value);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '9092' },
      host: { type: 'string', default: '127.0.0.1' },
      'data-dir': { type: 'string' },
      'in-memory': { type: 'boolean', default: false },
      partitions: { type: 'string' },
      'no-auto-create': { type: 'boolean', default: false },
      'retention-ms': { type: 'string' },
      'retention-bytes': { type: 'string' },
      'max-message-bytes': { type: 'string' },
      verbose: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const dataDir = values['in-memory'] ? undefined : path.resolve(values['data-dir'] ?? path.join('.data', 'kafka'));
  const broker = await startBroker({
    port: integerFlag('port', values.port) ?? 9092,
    host: values.host,
    dataDir,
    autoCreateTopics: !values['no-auto-create'],
    defaultPartitions: integerFlag('partitions', values.partitions),
    retentionMs: integerFlag('retention-ms', values['retention-ms']),
    retentionBytes: integerFlag('retention-bytes', values['retention-bytes']),
    maxMessageBytes: integerFlag('max-message-bytes', values['max-message-bytes']),
    logger: values.verbose ? verboseStderrLogger : stderrLogger,
  });
  process.stdout.write(
    `kafka-broker listening on ${broker.brokers} (${dataDir === undefined ? 'in memory' : `data dir ${dataDir}`})\n`,
  );
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    broker.close().then(
      () => process.exit(0),
      (error: unknown) => {
        stderrLogger.error('error while stopping', { signal, error: errorMessage(error) });
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
  stderrLogger.error('kafka-broker failed to start', { error: errorMessage(error) });
  process.stderr.write(`${USAGE}\n`);
  process.exit(1);
});
