export {
  DEFAULT_NOTIFY_CHANNEL,
  DEFAULT_RETENTION_HOURS,
  OUTBOX_UNREADABLE_TOPIC,
  startOutboxRelay,
  type OutboxRelay,
  type OutboxRelayOptions,
  type RelayStats,
} from './relay';
export { OutboxStore, outboxTable, type OutboxRow } from './outbox-store';
