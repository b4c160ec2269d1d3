import type { Channel } from '@switchboard/events';
import type { SmtpAccount } from '../providers/email/smtp';
import type { MetaCloudAccount } from '../providers/whatsapp/meta-cloud';
import type { TwilioWhatsappAccount } from '../providers/whatsapp/twilio';
import { SenderUnavailable, type ProviderAccount, type SenderDirectory } from './sender-directory';

type WithOptional<T, K extends keyof T> = Omit<T, K> & Partial<Pick<T, K>>;

/**
 * The worker's provider configuration: deployment-wide settings of each provider (API base URL,
 * status callback, timeouts, the SMTP server) and, optionally, one account per provider
 * (TWILIO_ACCOUNT_SID/AUTH_TOKEN, WHATSAPP_TOKEN, SMTP_URL's login).
 */
export interface ConfiguredAccounts {
  smtp?: SmtpAccount;
  twilio?: WithOptional<TwilioWhatsappAccount, 'accountSid' | 'authToken'>;
  metaCloud?: WithOptional<MetaCloudAccount, 'accessToken'>;
  /** Which account sends WhatsApp (default: meta-cloud when configured, otherwise twilio). */
  whatsappVendor?: 'meta-cloud' | 'twilio';
}

/** The configured Twilio account, when it has credentials. */
export function twilioAccount(accounts: ConfiguredAccounts): TwilioWhatsappAccount | undefined {
  const twilio = accounts.twilio;
  return twilio?.accountSid && twilio.authToken ? { ...twilio, accountSid: twilio.accountSid, authToken: twilio.authToken } : undefined;
}

/** The configured WhatsApp Cloud API access, when it has a token. */
export function metaCloudAccount(accounts: ConfiguredAccounts): MetaCloudAccount | undefined {
  const meta = accounts.metaCloud;
  return meta?.accessToken ? { ...meta, accessToken: meta.accessToken } : undefined;
}

/** The account each channel uses in a one-account-per-provider deployment; undefined = none configured. */
export function configuredAccount(accounts: ConfiguredAccounts, channel: Channel): ProviderAccount | undefined {
  const twilio = twilioAccount(accounts);
  switch (channel) {
    case 'EMAIL':
      return accounts.smtp ? { vendor: 'smtp', smtp: accounts.smtp } : undefined;
    case 'SMS':
      return twilio ? { vendor: 'twilio', twilio } : undefined;
    case 'WHATSAPP': {
      const metaCloud = metaCloudAccount(accounts);
      const vendor = accounts.whatsappVendor ?? (metaCloud ? 'meta-cloud' : 'twilio');
      if (vendor === 'meta-cloud') return metaCloud ? { vendor, metaCloud } : undefined;
      return twilio ? { vendor, twilio } : undefined;
    }
  }
}

/**
 * Every sender of a channel sends through the channel's configured account; its rate limit is
 * the channel's configured default. Sender ids only separate the rate-limit buckets.
 */
export function createConfigSenderDirectory(accounts: ConfiguredAccounts, rateLimitPerSecond: Record<Channel, number>): SenderDirectory {
  return {
    async resolve(channel, senderId) {
      const account = configuredAccount(accounts, channel);
      if (!account) throw new SenderUnavailable('SENDER_NOT_CONFIGURED', `no ${channel} provider account is configured for this worker`);
      return { senderId, rateLimitPerSecond: rateLimitPerSecond[channel], address: null, account, accountKey: `config:${account.vendor}`, accountVersion: 'config' };
    },
    close: async () => {},
  };
}
