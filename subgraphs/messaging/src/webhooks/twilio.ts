import type { IncomingMessage, ServerResponse } from 'node:http';
import twilio from 'twilio';
import type { Logger } from '@switchboard/config';
import { maskAddress, normalizePhone } from '../domain/addresses';
import { isUuid } from '../domain/ids';
import type { InboundMedia, InboundService } from '../domain/inbound-service';
import type { SenderService } from '../domain/sender-service';
import type { StatusService } from '../domain/status-service';
import type { MessageStatus, SenderRecord } from '../domain/types';
import type { MessagingStore } from '../store';
import { clip, forbidden, header, reply } from './http';
import { Recent } from './recent';

/*
 * Twilio webhooks: message status callbacks (StatusCallback) and inbound messages (the number's
 * SmsUrl), form-encoded and signed with X-Twilio-Signature = base64(HMAC-SHA1(auth token, the URL
 * Twilio called + the sorted POST parameters)). The URL is rebuilt from the configured public
 * URL (what Twilio was given), never from the Host header. The token is the sender's own (its
 * stored Twilio credentials) or the platform's account token.
 */

export interface TwilioWebhookDeps {
  store: MessagingStore;
  senders: SenderService;
  statuses: StatusService;
  inbound: InboundService;
  /** Public base URL of this server, as given to Twilio. */
  publicUrl: string;
  /** The platform's Twilio account auth token (numbers bought with it, Twilio WhatsApp). */
  accountAuthToken: string | null;
  log: Logger;
}

const TWIML_EMPTY = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>';

/** Twilio's status words → ours; null for statuses that change nothing here. */
const STATUS: Record<string, MessageStatus | null> = {
  accepted: null,
  scheduled: null,
  queued: null,
  sending: 'SENDING',
  sent: 'SENT',
  delivered: 'DELIVERED',
  read: 'READ',
  undelivered: 'UNDELIVERED',
  failed: 'FAILED',
  canceled: 'FAILED',
  receiving: null,
  received: null,
};

function parseForm(rawBody: Buffer): Record<string, string> {
  const params: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(rawBody.toString('utf8'))) params[key] = value;
  return params;
}

function mediaTypeOf(contentType: string | undefined): InboundMedia['mediaType'] {
  if (!contentType) return 'other';
  if (contentType.startsWith('image/')) return 'image';
  if (contentType.startsWith('video/')) return 'video';
  if (contentType.startsWith('audio/')) return 'audio';
  if (contentType.startsWith('application/') || contentType.startsWith('text/')) return 'document';
  return 'other';
}

export function createTwilioWebhooks(deps: TwilioWebhookDeps) {
  const log = deps.log.child({ component: 'twilio-webhook' });

  /** A sender with the tokens its callbacks may be signed with (its own, then the account's). */
  interface SignedSender {
    sender: SenderRecord;
    tokens: string[];
  }
  const recent = new Recent<SignedSender>();
  const accountTokens = deps.accountAuthToken ? [deps.accountAuthToken] : [];

  /** Our sender behind an address Twilio names (`+1415…` or `whatsapp:+1415…`). */
  function senderAt(address: string | undefined): Promise<SignedSender | null> {
    if (!address) return Promise.resolve(null);
    const kind = address.startsWith('whatsapp:') ? 'WHATSAPP_NUMBER' : 'SMS_NUMBER';
    const phone = normalizePhone(address, false);
    if (!phone.ok) return Promise.resolve(null);
    return recent.get(`${kind}:${phone.address}`, async () => {
      const sender = await deps.store.senders.findLiveByAddress(kind, phone.address);
      if (!sender) return null;
      const credentials = deps.senders.credentialsOf(sender);
      return { sender, tokens: [...(credentials?.provider === 'TWILIO' ? [credentials.authToken] : []), ...accountTokens] };
    });
  }

  /** Verifies the signature with the sender's token, then the account's. */
  function verified(req: IncomingMessage, params: Record<string, string>, found: SignedSender | null): boolean {
    const signature = header(req.headers['x-twilio-signature']);
    if (!signature) return false;
    const url = `${deps.publicUrl}${req.url ?? ''}`;
    const tokens = found ? found.tokens : accountTokens;
    return tokens.some((token) => twilio.validateRequest(token, signature, url, params));
  }

  async function status(req: IncomingMessage, res: ServerResponse, rawBody: Buffer): Promise<void> {
    const params = parseForm(rawBody);
    const found = await senderAt(params.From);
    const sender = found?.sender ?? null;
    if (!verified(req, params, found)) {
      log.warn({ ip: req.socket.remoteAddress }, 'refused a Twilio status callback with a missing or bad signature');
      return forbidden(res);
    }
    const providerMessageId = clip(params.MessageSid ?? params.SmsSid, 256);
    const reported = STATUS[(params.MessageStatus ?? params.SmsStatus ?? '').toLowerCase()];
    if (!sender || !providerMessageId || !reported) {
      if (!sender) log.info({ from: maskAddress(params.From) }, 'Twilio status callback for no live sender; ignored');
      return reply(res, 200);
    }
    const hint = new URL(req.url ?? '/', 'http://webhook').searchParams.get('messageId');
    const outcome = await deps.statuses.reportFromProvider({
      sender,
      providerMessageId,
      messageIdHint: isUuid(hint) ? hint : null,
      status: reported,
      at: new Date(),
      errorCode: clip(params.ErrorCode, 64),
      errorReason: clip(params.ErrorMessage, 1000),
      traceId: clip(header(req.headers['i-twilio-idempotency-token']), 200),
    });
    log.debug({ senderId: sender.id, status: reported, outcome: outcome.kind }, 'Twilio status callback');
    reply(res, 200);
  }

  async function inbound(req: IncomingMessage, res: ServerResponse, rawBody: Buffer): Promise<void> {
    const params = parseForm(rawBody);
    const found = await senderAt(params.To);
    const sender = found?.sender ?? null;
    if (!verified(req, params, found)) {
      log.warn({ ip: req.socket.remoteAddress }, 'refused a Twilio inbound webhook with a missing or bad signature');
      return forbidden(res);
    }
    const from = normalizePhone(params.From ?? '', false);
    const providerMessageId = clip(params.MessageSid ?? params.SmsSid, 256);
    if (!sender || !from.ok || !providerMessageId) {
      log.info({ to: maskAddress(params.To), known: sender !== null }, 'Twilio inbound message not for a live sender (or unreadable); ignored');
      return reply(res, 200, TWIML_EMPTY, 'text/xml');
    }
    const count = Math.min(Number(params.NumMedia ?? '0') || 0, 10);
    const media: InboundMedia[] = [];
    for (let i = 0; i < count; i += 1) {
      const url = params[`MediaUrl${i}`];
      if (!url || !/^https?:\/\//u.test(url)) continue;
      const contentType = params[`MediaContentType${i}`];
      media.push({ mediaType: mediaTypeOf(contentType), url, mimeType: clip(contentType, 255), caption: null });
    }
    const outcome = await deps.inbound.receive({
      sender,
      channel: sender.kind === 'WHATSAPP_NUMBER' ? 'WHATSAPP' : 'SMS',
      from: from.address,
      providerMessageId,
      text: clip(params.Body, 100_000),
      media,
      inReplyToProviderMessageId: clip(params.OriginalRepliedMessageSid, 256),
      receivedAt: new Date(),
      traceId: null,
    });
    log.debug({ senderId: sender.id, outcome: outcome.kind }, 'Twilio inbound message');
    reply(res, 200, TWIML_EMPTY, 'text/xml');
  }

  return { status, inbound };
}
