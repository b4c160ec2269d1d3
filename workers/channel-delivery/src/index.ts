export {
  startChannelWorkers,
  type ChannelWorkers,
  type ChannelWorkersConfig,
  type StartChannelWorkersOptions,
} from './channel-workers';
export { loadDeliveryConfig, type DeliveryProcessConfig } from './config';
export { CHANNEL_NAMES, CHANNEL_SPECS, type ChannelName } from './delivery/channels';
export type { DeliveryOutcome, RetryPolicy } from './delivery/processor';
export { ProviderError, type ProviderErrorKind, type ProviderAcceptance } from './providers/provider';
export type { ConfiguredAccounts } from './senders/config-senders';
export type { ProviderAccount, ResolvedSender } from './senders/sender-directory';
export type { SmtpAccount } from './providers/email/smtp';
export type { TwilioAccount } from './providers/twilio/twilio-api';
export type { TwilioWhatsappAccount } from './providers/whatsapp/twilio';
export type { MetaCloudAccount } from './providers/whatsapp/meta-cloud';
