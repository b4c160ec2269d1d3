import { randomBytes } from 'node:crypto';

/** Twilio-style sid: two-letter prefix + 32 hex characters (34 in total). */
export function twilioSid(prefix: string): string {
  return `${prefix}${randomBytes(16).toString('hex')}`;
}

/** WhatsApp message id (`wamid.` + base64 of a random payload, like Meta's). */
export function wamid(): string {
  return `wamid.${randomBytes(30).toString('base64')}`;
}

export function numericId(digits = 15): string {
  let id = String(1 + Math.floor(Math.random() * 9));
  while (id.length < digits) id += String(Math.floor(Math.random() * 10));
  return id;
}
