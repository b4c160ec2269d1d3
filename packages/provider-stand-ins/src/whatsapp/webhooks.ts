// Meta's webhook envelope and signature (X-Hub-Signature-256 over the raw body).
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export interface WebhookMetadata {
  display_phone_number: string;
  phone_number_id: string;
}

export type WebhookField = 'messages' | 'message_template_status_update';

export function envelope(wabaId: string, field: WebhookField, value: Record<string, unknown>, time?: number) {
  return {
    object: 'whatsapp_business_account',
    entry: [{ id: wabaId, ...(time === undefined ? {} : { time }), changes: [{ value, field }] }],
  };
}

/** `sha256=` + hex HMAC-SHA256(app secret, raw body): the X-Hub-Signature-256 header. */
export function signPayload(appSecret: string, rawBody: string | Buffer): string {
  return `sha256=${createHmac('sha256', appSecret).update(rawBody).digest('hex')}`;
}

/** Meta still sends the older SHA-1 signature (X-Hub-Signature) next to the SHA-256 one. */
export function signPayloadSha1(appSecret: string, rawBody: string | Buffer): string {
  return `sha1=${createHmac('sha1', appSecret).update(rawBody).digest('hex')}`;
}

/** What an app does with X-Hub-Signature-256: recompute over the raw bytes, compare in constant time. */
export function verifyPayloadSignature(appSecret: string, rawBody: string | Buffer, header: string | undefined): boolean {
  if (header === undefined) return false;
  const expected = Buffer.from(signPayload(appSecret, rawBody));
  const received = Buffer.from(header);
  return expected.length === received.length && timingSafeEqual(expected, received);
}

export interface HandshakeResult {
  status: number;
  body: string;
  challenge: string;
  /** 200 with exactly the challenge as the body: the app accepted the subscription. */
  verified: boolean;
}

/**
 * Meta's side of the webhook verification handshake, run against the app's webhook URL:
 * GET ?hub.mode=subscribe&hub.verify_token=…&hub.challenge=… expects 200 with the challenge.
 */
export async function performWebhookHandshake(
  appWebhookUrl: string,
  verifyToken: string,
  challenge: string = String(randomBytes(4).readUInt32BE()),
): Promise<HandshakeResult> {
  const url = new URL(appWebhookUrl);
  url.searchParams.set('hub.mode', 'subscribe');
  url.searchParams.set('hub.verify_token', verifyToken);
  url.searchParams.set('hub.challenge', challenge);
  const response = await fetch(url, { headers: { 'user-agent': 'facebookplatform/1.0 (+http://developers.facebook.com)' } });
  const body = await response.text();
  return { status: response.status, body, challenge, verified: response.status === 200 && body === challenge };
}
