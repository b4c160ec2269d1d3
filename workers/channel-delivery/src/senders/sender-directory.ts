import type { Channel } from '@switchboard/events';
import type { SmtpAccount } from '../providers/email/smtp';
import type { MetaCloudAccount } from '../providers/whatsapp/meta-cloud';
import type { TwilioWhatsappAccount } from '../providers/whatsapp/twilio';

/** The provider account a sender sends through; the registry picks the implementation from `vendor`. */
export type ProviderAccount =
  | { vendor: 'smtp'; smtp: SmtpAccount }
  | { vendor: 'twilio'; twilio: TwilioWhatsappAccount }
  | { vendor: 'meta-cloud'; metaCloud: MetaCloudAccount };

export type Vendor = ProviderAccount['vendor'];

/** What the worker needs to know about a request's sender. */
export interface ResolvedSender {
  senderId: string;
  /** Refill rate of the sender's token bucket. */
  rateLimitPerSecond: number;
  /** The sender's own address (E.164 or email) when known: Twilio WhatsApp sends from it. */
  address: string | null;
  account: ProviderAccount;
  /**
   * The account (`config:twilio`, `sender:<id>`) and its version (the sender row's `updatedAt`):
   * the registry keeps one provider client per account and replaces it when the version changes
   * (rotated credentials).
   */
  accountKey: string;
  accountVersion: string;
}

/** The sender cannot send (unknown, deleted, wrong channel, unreadable credentials): the message fails. */
export class SenderUnavailable extends Error {
  override readonly name = 'SenderUnavailable';

  constructor(
    readonly code: string,
    readonly reason: string,
  ) {
    super(`${code}: ${reason}`);
  }
}

/** Finds a request's sender. Throws SenderUnavailable for the sender's own problems, anything else for infrastructure (retried). */
export interface SenderDirectory {
  /** `organizationId` is the request's: a sender of another organization is not found. */
  resolve(channel: Channel, senderId: string, organizationId?: string | null): Promise<ResolvedSender>;
  close(): Promise<void>;
}
