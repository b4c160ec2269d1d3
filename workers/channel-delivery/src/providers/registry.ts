import type { Channel } from '@switchboard/events';
import type { ProviderAccount, ResolvedSender, Vendor } from '../senders/sender-directory';
import { createSmtpEmailProvider } from './email/smtp';
import { ProviderError, type ChannelProvider, type EmailProvider, type SmsProvider, type WhatsappProvider } from './provider';
import { createTwilioSmsProvider } from './sms/twilio';
import { createMetaCloudWhatsappProvider } from './whatsapp/meta-cloud';
import { createTwilioWhatsappProvider } from './whatsapp/twilio';

interface ProvidersByChannel {
  EMAIL: EmailProvider;
  SMS: SmsProvider;
  WHATSAPP: WhatsappProvider;
}

type AccountOf<V extends Vendor> = Extract<ProviderAccount, { vendor: V }>;

/** Which vendor implements which channel. */
const IMPLEMENTATIONS = {
  EMAIL: { smtp: (account: AccountOf<'smtp'>) => createSmtpEmailProvider(account.smtp) },
  SMS: { twilio: (account: AccountOf<'twilio'>) => createTwilioSmsProvider(account.twilio) },
  WHATSAPP: {
    'meta-cloud': (account: AccountOf<'meta-cloud'>) => createMetaCloudWhatsappProvider(account.metaCloud),
    twilio: (account: AccountOf<'twilio'>) => createTwilioWhatsappProvider(account.twilio),
  },
} satisfies { [C in Channel]: { [V in Vendor]?: (account: AccountOf<V>) => ProvidersByChannel[C] } };

/**
 * Picks the provider implementation by the channel and the sender's account vendor, and keeps one
 * client per account (SMTP pools, HTTP agents) until the account changes or the worker stops.
 */
export class ProviderRegistry {
  private readonly clients = new Map<string, { version: string; provider: ChannelProvider<unknown> }>();

  /** Throws a PERMANENT ProviderError when the sender's vendor does not serve the channel. */
  forSender<C extends Channel>(channel: C, sender: ResolvedSender): ProvidersByChannel[C] {
    const slot = `${channel}:${sender.account.vendor}:${sender.accountKey}`;
    const cached = this.clients.get(slot);
    if (cached && cached.version === sender.accountVersion) return cached.provider as ProvidersByChannel[C];
    // Looked up by the account's own vendor, so each implementation gets the account shape it takes.
    const implementations = IMPLEMENTATIONS[channel] as Partial<Record<Vendor, (account: ProviderAccount) => ProvidersByChannel[C]>>;
    const create = implementations[sender.account.vendor];
    if (!create) {
      throw new ProviderError('PERMANENT', 'SENDER_MISCONFIGURED', `a ${sender.account.vendor} sender cannot send ${channel} messages`);
    }
    const provider = create(sender.account);
    if (cached) void cached.provider.close().catch(() => {});
    this.clients.set(slot, { version: sender.accountVersion, provider });
    return provider;
  }

  async close(): Promise<void> {
    const clients = [...this.clients.values()];
    this.clients.clear();
    await Promise.allSettled(clients.map(({ provider }) => provider.close()));
  }
}
