import {
  emailRequested,
  smsRequested,
  whatsappRequested,
  type Channel,
  type EventOfType,
} from '@switchboard/events';
import type { ProviderAcceptance } from '../providers/provider';
import type { ProviderRegistry } from '../providers/registry';
import type { ResolvedSender } from '../senders/sender-directory';

export type RequestType = 'message.requested.email' | 'message.requested.sms' | 'message.requested.whatsapp';
/** A message request of any channel. */
export type RequestEvent = EventOfType<RequestType>;

/** A provider call ready to go (and to be repeated on a transient failure). */
export interface PreparedSend {
  vendor: string;
  send(): Promise<ProviderAcceptance>;
}

/** What differs between channels for the worker: the topic and request type, and the provider call. */
export interface ChannelSpec {
  channel: Channel;
  requestType: RequestType;
  topic: string;
  /**
   * Picks the sender's provider and builds its message. Throws a PERMANENT ProviderError when
   * the sender's vendor does not serve the channel. Called with requests of `requestType` only.
   */
  prepare(request: RequestEvent, sender: ResolvedSender, providers: ProviderRegistry): PreparedSend;
}

const email: ChannelSpec = {
  channel: 'EMAIL',
  requestType: emailRequested.type,
  topic: emailRequested.topic,
  prepare(request, sender, providers) {
    const p = (request as EventOfType<'message.requested.email'>).payload;
    const provider = providers.forSender('EMAIL', sender);
    const message = {
      messageId: p.messageId,
      from: p.from,
      to: { address: p.recipient, name: p.recipientName },
      replyTo: p.replyTo,
      subject: p.subject,
      html: p.html,
      text: p.text,
    };
    return { vendor: provider.vendor, send: () => provider.send(message) };
  },
};

const sms: ChannelSpec = {
  channel: 'SMS',
  requestType: smsRequested.type,
  topic: smsRequested.topic,
  prepare(request, sender, providers) {
    const p = (request as EventOfType<'message.requested.sms'>).payload;
    const provider = providers.forSender('SMS', sender);
    const message = { messageId: p.messageId, from: p.from, to: p.recipient, body: p.body };
    return { vendor: provider.vendor, send: () => provider.send(message) };
  },
};

const whatsapp: ChannelSpec = {
  channel: 'WHATSAPP',
  requestType: whatsappRequested.type,
  topic: whatsappRequested.topic,
  prepare(request, sender, providers) {
    const p = (request as EventOfType<'message.requested.whatsapp'>).payload;
    const provider = providers.forSender('WHATSAPP', sender);
    // Meta sends from the Cloud API phone number id; Twilio from the number itself.
    const from = sender.account.vendor === 'twilio' ? (sender.address ?? p.phoneNumberId) : p.phoneNumberId;
    const message = { messageId: p.messageId, from, to: p.recipient, content: p.content };
    return { vendor: provider.vendor, send: () => provider.send(message) };
  },
};

export const CHANNEL_SPECS: Record<Channel, ChannelSpec> = { EMAIL: email, SMS: sms, WHATSAPP: whatsapp };

/** `email`, `sms`, `whatsapp` ↔ the catalog's channel names. */
export const CHANNEL_NAMES = { email: 'EMAIL', sms: 'SMS', whatsapp: 'WHATSAPP' } as const satisfies Record<string, Channel>;
export type ChannelName = keyof typeof CHANNEL_NAMES;
