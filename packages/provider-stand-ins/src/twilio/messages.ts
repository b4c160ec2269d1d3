// Twilio's Message resource, as the stand-in stores and renders it (shape: api.v2010.account.message).

export type TwilioMessageStatus =
  | 'accepted'
  | 'queued'
  | 'sending'
  | 'sent'
  | 'delivered'
  | 'undelivered'
  | 'failed'
  | 'read'
  | 'received';

export interface TwilioMessage {
  sid: string;
  accountSid: string;
  direction: 'outbound-api' | 'inbound';
  from: string | null;
  to: string;
  body: string;
  messagingServiceSid: string | null;
  statusCallback: string | null;
  mediaUrls: string[];
  contentSid: string | null;
  contentVariables: Record<string, string> | null;
  status: TwilioMessageStatus;
  errorCode: number | null;
  errorMessage: string | null;
  numSegments: number;
  dateCreated: Date;
  dateUpdated: Date;
  dateSent: Date | null;
}

/** RFC 2822 in GMT as Twilio writes it: `Thu, 24 Aug 2023 05:01:45 +0000`. */
export function rfc2822(date: Date): string {
  return date.toUTCString().replace('GMT', '+0000');
}

export function renderMessage(message: TwilioMessage): Record<string, unknown> {
  const uri = `/2010-04-01/Accounts/${message.accountSid}/Messages/${message.sid}.json`;
  return {
    account_sid: message.accountSid,
    api_version: '2010-04-01',
    body: message.body,
    date_created: rfc2822(message.dateCreated),
    date_sent: message.dateSent === null ? null : rfc2822(message.dateSent),
    date_updated: rfc2822(message.dateUpdated),
    direction: message.direction,
    error_code: message.errorCode,
    error_message: message.errorMessage,
    from: message.from,
    messaging_service_sid: message.messagingServiceSid,
    num_media: String(message.mediaUrls.length),
    num_segments: String(message.numSegments),
    price: null,
    price_unit: 'USD',
    sid: message.sid,
    status: message.status,
    subresource_uris: {
      media: `/2010-04-01/Accounts/${message.accountSid}/Messages/${message.sid}/Media.json`,
      feedback: `/2010-04-01/Accounts/${message.accountSid}/Messages/${message.sid}/Feedback.json`,
    },
    to: message.to,
    uri,
  };
}

// GSM 03.38 basic character set, and the extension table (each extension character costs 2 septets).
const GSM_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const GSM_EXTENSION = '^{}\\[~]|€\f';
const GSM_BASIC_SET = new Set(GSM_BASIC);
const GSM_EXTENSION_SET = new Set(GSM_EXTENSION);

/** Number of SMS segments Twilio bills: GSM-7 160/153 septets, otherwise UCS-2 70/67 code units. */
export function countSegments(body: string): number {
  if (body.length === 0) return 1;
  let septets = 0;
  let gsm = true;
  for (const char of body) {
    if (GSM_BASIC_SET.has(char)) septets += 1;
    else if (GSM_EXTENSION_SET.has(char)) septets += 2;
    else {
      gsm = false;
      break;
    }
  }
  if (gsm) return septets <= 160 ? 1 : Math.ceil(septets / 153);
  const units = body.length; // UTF-16 code units, as UCS-2 counts them
  return units <= 70 ? 1 : Math.ceil(units / 67);
}

const E164 = /^\+[1-9]\d{6,14}$/;

export function channelOf(address: string): 'whatsapp' | 'sms' {
  return address.startsWith('whatsapp:') ? 'whatsapp' : 'sms';
}

/** E.164, optionally behind the `whatsapp:` channel prefix. */
export function isValidAddress(address: string): boolean {
  return E164.test(address.replace(/^whatsapp:/, ''));
}

/** An E.164 number, a `whatsapp:` address, a short code or an alphanumeric sender id. */
export function isValidSender(address: string): boolean {
  if (isValidAddress(address)) return true;
  if (/^\d{5,6}$/.test(address)) return true; // short code
  return /^(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11}$/.test(address); // alphanumeric sender id
}
