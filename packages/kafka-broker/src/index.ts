export { startBroker, type BrokerHandle } from './broker';
export type { BrokerOptions } from './options';
export { silentLogger, stderrLogger, type Logger, type LogFields } from './logger';
export { crc32c } from './protocol/crc32c';
