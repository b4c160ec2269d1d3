import type { EventOfType } from '@switchboard/events';

/**
 * What a provider's answer to a send means for the delivery pipeline:
 * - TRANSIENT: try again later (5xx, network error, timeout, SMTP 4xx);
 * - RATE_LIMITED: the provider throttled us — try again later, after `retryAfterMs` when it says;
 * - PERMANENT: the same request will never succeed (bad recipient, opt-out, bad credentials).
 */
export type ProviderErrorKind = 'TRANSIENT' | 'RATE_LIMITED' | 'PERMANENT';

/**
 * A failed send, classified. `code` is the provider's code as text (`21610`, `130429`, `550`,
 * `ETIMEDOUT`); `reason` is a short human-readable text without personal data (addresses are
 * masked before they get here).
 */
export class ProviderError extends Error {
  override readonly name = 'ProviderError';

  constructor(
    readonly kind: ProviderErrorKind,
    readonly code: string,
    readonly reason: string,
    readonly retryAfterMs?: number,
  ) {
    super(`${kind} ${code}: ${reason}`);
  }
}

export function isProviderError(error: unknown): error is ProviderError {
  return error instanceof ProviderError;
}

/**
 * The provider took the message. Providers answer "queued"/"accepted"/250 at this point; for the
 * pipeline that is SENT (later statuses come from webhooks). `providerStatus` is the provider's
 * own word, for logs.
 */
export interface ProviderAcceptance {
  providerMessageId: string;
  status: 'SENT';
  providerStatus: string;
}

type Payload<T extends 'message.requested.email' | 'message.requested.sms' | 'message.requested.whatsapp'> =
  EventOfType<T>['payload'];

/** One email to send: the request's fields, with our message id (used as the Message-ID). */
export interface OutgoingEmail {
  messageId: string;
  from: Payload<'message.requested.email'>['from'];
  to: { address: string; name: string | null };
  replyTo: string | null;
  subject: string;
  html: string | null;
  text: string | null;
}

export interface OutgoingSms {
  messageId: string;
  /** E.164 number, alphanumeric sender id or a Messaging Service sid (`MG…`). */
  from: string;
  /** E.164. */
  to: string;
  body: string;
}

export type WhatsappContent = Payload<'message.requested.whatsapp'>['content'];

export interface OutgoingWhatsapp {
  messageId: string;
  /** WhatsApp Cloud API phone number id (Meta) — or the sender's E.164 number (Twilio). */
  from: string;
  /** E.164. */
  to: string;
  content: WhatsappContent;
}

/** One implementation per vendor; the worker never calls a vendor SDK directly. */
export interface ChannelProvider<M> {
  /** `smtp`, `twilio`, `meta-cloud` — for logs. */
  readonly vendor: string;
  /** Sends one message; throws ProviderError (and only ProviderError) when it was not accepted. */
  send(message: M): Promise<ProviderAcceptance>;
  /** Releases pooled connections. */
  close(): Promise<void>;
}

export type EmailProvider = ChannelProvider<OutgoingEmail>;
export type SmsProvider = ChannelProvider<OutgoingSms>;
export type WhatsappProvider = ChannelProvider<OutgoingWhatsapp>;
