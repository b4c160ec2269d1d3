import type { EventOfType } from '@switchboard/events';
import type { ConsentChannel } from './contact-fields';
import { normalizeEmail } from './email';
import { normalizePhone } from './phone';

/*
 * What an inbound message (`message.received`, from messaging) asks of the contact subgraph — the
 * processor of the consumer: pure, no I/O.
 *  - `contactId: null` means messaging knows no contact with the sender's address: find the
 *    organization's contact with that address, or create one (source `inbound`);
 *  - `consentChange` (a STOP / START keyword) is recorded on the contact for its channel, with
 *    source `keyword`, as of the message's time (a later decision is never overridden).
 */

/** Where a consent keyword comes from on the contact. */
export const KEYWORD_SOURCE = 'keyword';
/** Contacts created for unknown senders. */
export const INBOUND_SOURCE = 'inbound';

/** The sender as a contact's keys: E.164 phone (SMS, WhatsApp) or email, and the WhatsApp id. */
export interface SenderAddress {
  phone: string | null;
  email: string | null;
  whatsappId: string | null;
}

export interface InboundWork {
  kind: 'apply';
  organizationId: string;
  /** The contact messaging named, or null (unknown sender). */
  contactId: string | null;
  channel: ConsentChannel;
  sender: SenderAddress;
  /** The name a new contact gets: the sender's address, as it is the only thing known of them. */
  name: string;
  consent: { channel: ConsentChannel; status: 'OPTED_IN' | 'OPTED_OUT'; at: Date; keyword: string } | null;
  /** The event id, or the request that caused it: carried by the contact.changed events written. */
  traceId: string;
}

export type InboundPlan =
  | InboundWork
  | { kind: 'skip'; reason: 'NO_ORGANIZATION' | 'KNOWN_CONTACT' | 'UNUSABLE_ADDRESS' };

const E164 = /^\+[1-9]\d{6,14}$/u;

/**
 * The sender's address as contact keys. Phones are normalised like the API's (libphonenumber-js,
 * full metadata); a number it does not know but that is well-formed E.164 is kept as it is —
 * the provider delivered a message from it, so it exists.
 */
export function senderAddress(channel: ConsentChannel, from: string): SenderAddress | null {
  if (channel === 'EMAIL') {
    const email = normalizeEmail(from);
    return email.ok ? { phone: null, email: email.email, whatsappId: null } : null;
  }
  const text = from.trim();
  const candidate = text.startsWith('+') ? text : `+${text.replace(/\D/gu, '')}`;
  const normalized = normalizePhone(candidate);
  const phone = normalized.ok ? normalized.e164 : E164.test(candidate) ? candidate : null;
  if (!phone) return null;
  return { phone, email: null, whatsappId: channel === 'WHATSAPP' ? phone.slice(1) : null };
}

export function planInbound(event: EventOfType<'message.received'>): InboundPlan {
  const { organizationId, payload } = event;
  if (!organizationId) return { kind: 'skip', reason: 'NO_ORGANIZATION' };
  if (payload.contactId !== null && payload.consentChange === null) return { kind: 'skip', reason: 'KNOWN_CONTACT' };
  const sender = senderAddress(payload.channel, payload.from);
  if (!sender) return { kind: 'skip', reason: 'UNUSABLE_ADDRESS' };
  const change = payload.consentChange;
  return {
    kind: 'apply',
    organizationId,
    contactId: payload.contactId,
    channel: payload.channel,
    sender,
    name: (sender.email ?? sender.phone)!,
    consent: change ? { channel: change.channel, status: change.status, at: new Date(payload.receivedAt), keyword: change.keyword } : null,
    traceId: event.traceId ?? event.id,
  };
}
