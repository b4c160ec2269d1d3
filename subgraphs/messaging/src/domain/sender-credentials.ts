import { z } from 'zod';
import type { SenderProvider } from './types';

/** Provider credentials of a sender, as stored (encrypted) — tagged with the provider. */
export const storedCredentialsSchema = z.discriminatedUnion('provider', [
  z.object({ provider: z.literal('TWILIO'), accountSid: z.string(), authToken: z.string() }),
  z.object({ provider: z.literal('META_WHATSAPP'), accessToken: z.string() }),
  z.object({ provider: z.literal('SMTP'), username: z.string(), password: z.string() }),
]);
export type SenderCredentials = z.infer<typeof storedCredentialsSchema>;

export interface CredentialsInput {
  twilio?: { accountSid: string; authToken: string } | null;
  whatsapp?: { accessToken: string } | null;
  smtp?: { username: string; password: string } | null;
}

export type CredentialsCheck = { ok: true; credentials: SenderCredentials } | { ok: false; field: string; message: string };

const ACCOUNT_SID = /^AC[0-9a-fA-F]{32}$/u;
const INPUT_KEY: Record<SenderProvider, keyof CredentialsInput> = { TWILIO: 'twilio', META_WHATSAPP: 'whatsapp', SMTP: 'smtp' };

/** Checks credentials given for a sender of `provider` (exactly that provider's kind). */
export function checkCredentials(provider: SenderProvider, input: CredentialsInput): CredentialsCheck {
  const given = (Object.keys(INPUT_KEY) as SenderProvider[]).filter((p) => input[INPUT_KEY[p]] !== null && input[INPUT_KEY[p]] !== undefined);
  const expected = INPUT_KEY[provider];
  if (given.length !== 1 || given[0] !== provider) {
    return { ok: false, field: 'credentials', message: `A ${provider} sender takes credentials.${expected} (and nothing else)` };
  }
  if (input.twilio) {
    const { accountSid, authToken } = input.twilio;
    if (!ACCOUNT_SID.test(accountSid.trim())) return { ok: false, field: 'credentials.twilio.accountSid', message: 'An account SID is AC followed by 32 hex digits' };
    if (authToken.trim().length < 8 || authToken.length > 256) return { ok: false, field: 'credentials.twilio.authToken', message: 'The auth token looks wrong (8 to 256 characters)' };
    return { ok: true, credentials: { provider: 'TWILIO', accountSid: accountSid.trim(), authToken: authToken.trim() } };
  }
  if (input.whatsapp) {
    const { accessToken } = input.whatsapp;
    if (accessToken.trim().length < 8 || accessToken.length > 4096) {
      return { ok: false, field: 'credentials.whatsapp.accessToken', message: 'The access token looks wrong (8 to 4096 characters)' };
    }
    return { ok: true, credentials: { provider: 'META_WHATSAPP', accessToken: accessToken.trim() } };
  }
  const smtp = input.smtp!;
  if (smtp.username.trim() === '' || smtp.username.length > 320) return { ok: false, field: 'credentials.smtp.username', message: 'Give the SMTP user name' };
  if (smtp.password === '' || smtp.password.length > 1024) return { ok: false, field: 'credentials.smtp.password', message: 'Give the SMTP password' };
  return { ok: true, credentials: { provider: 'SMTP', username: smtp.username.trim(), password: smtp.password } };
}

/** A hint safe to show: which credentials are stored, never enough to use them. */
export function credentialsHint(credentials: SenderCredentials): string {
  switch (credentials.provider) {
    case 'TWILIO':
      return `${credentials.accountSid.slice(0, 2)}…${credentials.accountSid.slice(-4)}`;
    case 'META_WHATSAPP':
      return `token …${credentials.accessToken.slice(-4)}`;
    case 'SMTP': {
      const at = credentials.username.indexOf('@');
      return at > 0 ? `${credentials.username[0]}…${credentials.username.slice(at)}` : `${credentials.username[0]}…`;
    }
  }
}
