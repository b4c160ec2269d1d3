import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '@switchboard/config';
import { maskAddress, normalizePhone } from '../domain/addresses';
import { isUuid } from '../domain/ids';
import type { InboundService } from '../domain/inbound-service';
import type { StatusService } from '../domain/status-service';
import type { MessageStatus, SenderRecord } from '../domain/types';
import type { MessagingStore } from '../store';
import { clip, forbidden, header, reply } from './http';

/*
 * WhatsApp Cloud API webhooks. GET: the subscription handshake (hub.verify_token). POST: events
 * signed with X-Hub-Signature-256 = "sha256=" + hex HMAC-SHA256(app secret, raw body) — checked
 * over the bytes as received, before parsing. Events are batched, retried for about a day and
 * unordered: statuses go through the state machine, inbound messages are de-duplicated by id.
 */

export interface WhatsAppWebhookDeps {
  store: MessagingStore;
  statuses: StatusService;
  inbound: InboundService;
  appSecret: string | null;
  verifyToken: string | null;
  log: Logger;
}

const STATUS: Record<string, MessageStatus | undefined> = {
  sent: 'SENT',
  delivered: 'DELIVERED',
  read: 'READ',
  failed: 'FAILED',
};

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const list = (value: unknown): Json[] => (Array.isArray(value) ? value.filter(isObject) : []);

function sameSecret(expected: string, given: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** `sha256=<hex>` over the raw body with the app secret, compared in constant time. */
export function validWhatsAppSignature(appSecret: string, rawBody: Buffer, signature: string | undefined): boolean {
  if (!signature) return false;
  const expected = `sha256=${createHmac('sha256', appSecret).update(rawBody).digest('hex')}`;
  return sameSecret(expected, signature);
}

function timestampOf(value: unknown): Date {
  const seconds = Number(value);
  return Number.isFinite(seconds) && seconds > 0 ? new Date(seconds * 1000) : new Date();
}

/** The readable text of an inbound message of any type (media arrive as ids, not URLs: only captions are kept). */
function textOf(message: Json): string | null {
  const type = typeof message.type === 'string' ? message.type : '';
  const part = isObject(message[type]) ? (message[type] as Json) : {};
  if (type === 'text') return clip(part.body, 100_000);
  if (type === 'button') return clip(part.text ?? part.payload, 4096);
  if (type === 'interactive') {
    const reply = isObject(part.button_reply) ? part.button_reply : isObject(part.list_reply) ? part.list_reply : {};
    return clip((reply as Json).title, 4096);
  }
  return clip(part.caption, 4096);
}

export function createWhatsAppWebhooks(deps: WhatsAppWebhookDeps) {
  const log = deps.log.child({ component: 'whatsapp-webhook' });

  function handshake(req: IncomingMessage, res: ServerResponse): void {
    const query = new URL(req.url ?? '/', 'http://webhook').searchParams;
    const mode = query.get('hub.mode');
    const token = query.get('hub.verify_token') ?? '';
    const challenge = query.get('hub.challenge') ?? '';
    if (mode === 'subscribe' && deps.verifyToken && sameSecret(deps.verifyToken, token) && challenge.length <= 200) {
      return reply(res, 200, challenge);
    }
    log.warn({ mode }, 'refused a WhatsApp webhook handshake (wrong verify token)');
    return forbidden(res);
  }

  async function events(req: IncomingMessage, res: ServerResponse, rawBody: Buffer): Promise<void> {
    if (!deps.appSecret || !validWhatsAppSignature(deps.appSecret, rawBody, header(req.headers['x-hub-signature-256']))) {
      log.warn({ ip: req.socket.remoteAddress, configured: Boolean(deps.appSecret) }, 'refused a WhatsApp webhook with a missing or bad signature');
      return forbidden(res);
    }
    let body: unknown;
    try {
      body = JSON.parse(rawBody.toString('utf8'));
    } catch {
      return reply(res, 400, 'body is not JSON');
    }
    if (!isObject(body) || body.object !== 'whatsapp_business_account') return reply(res, 200);
    for (const entry of list(body.entry)) {
      for (const change of list(entry.changes)) {
        const value = isObject(change.value) ? change.value : {};
        if (change.field === 'messages') await messagesChange(value);
        else if (change.field === 'message_template_status_update') await templateStatusChange(String(entry.id ?? ''), value);
      }
    }
    reply(res, 200);
  }

  async function messagesChange(value: Json): Promise<void> {
    const metadata = isObject(value.metadata) ? value.metadata : {};
    const phoneNumberId = clip(metadata.phone_number_id, 64);
    const sender: SenderRecord | null = phoneNumberId ? await deps.store.senders.findLiveByPhoneNumberId(phoneNumberId) : null;
    if (!sender) {
      log.info({ phoneNumberId }, 'WhatsApp webhook for no live sender; ignored');
      return;
    }
    for (const status of list(value.statuses)) {
      const reported = STATUS[String(status.status)];
      const providerMessageId = clip(status.id, 256);
      if (!reported || !providerMessageId) continue;
      const error = list(status.errors)[0];
      const hint = status.biz_opaque_callback_data;
      const outcome = await deps.statuses.reportFromProvider({
        sender,
        providerMessageId,
        messageIdHint: isUuid(hint) ? hint : null,
        status: reported,
        at: timestampOf(status.timestamp),
        errorCode: error ? clip(error.code, 64) : null,
        errorReason: error ? clip(error.title ?? error.message, 1000) : null,
        traceId: null,
      });
      log.debug({ senderId: sender.id, status: reported, outcome: outcome.kind }, 'WhatsApp status');
    }
    for (const message of list(value.messages)) {
      const providerMessageId = clip(message.id, 256);
      const from = normalizePhone(`+${String(message.from ?? '').replace(/\D/gu, '')}`, false);
      if (!providerMessageId || !from.ok) {
        log.info({ from: maskAddress(String(message.from ?? '')) }, 'unreadable WhatsApp inbound message; ignored');
        continue;
      }
      const context = isObject(message.context) ? message.context : {};
      const outcome = await deps.inbound.receive({
        sender,
        channel: 'WHATSAPP',
        from: from.address,
        providerMessageId,
        text: textOf(message),
        media: [],
        inReplyToProviderMessageId: clip(context.id, 256),
        receivedAt: timestampOf(message.timestamp),
        traceId: null,
      });
      log.debug({ senderId: sender.id, outcome: outcome.kind }, 'WhatsApp inbound message');
    }
  }

  async function templateStatusChange(businessAccountId: string, value: Json): Promise<void> {
    const providerTemplateId = clip(value.message_template_id, 64);
    const name = clip(value.message_template_name, 512);
    const language = clip(value.message_template_language, 15);
    const event = clip(value.event, 64);
    if (!businessAccountId || !providerTemplateId || !name || !language || !event) return;
    const reason = clip(value.reason, 1000);
    const organizations = await deps.inbound.reportTemplateStatus({
      businessAccountId: businessAccountId.slice(0, 64),
      providerTemplateId,
      name,
      language,
      event,
      reason: reason === 'NONE' ? null : reason,
      reportedAt: new Date(),
      traceId: null,
    });
    log.info({ businessAccountId, event, organizations }, 'WhatsApp template status update');
  }

  return { handshake, events };
}
