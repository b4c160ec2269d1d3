import twilio from 'twilio';
import { ApiBaseRequestClient, TWILIO_API_BASE_URL } from '@switchboard/twilio-client';
import { networkFailure, safeReason } from '../failures';
import { ProviderError, type ProviderAcceptance } from '../provider';

/** A Twilio account as the SMS and WhatsApp providers use it. */
export interface TwilioAccount {
  accountSid: string;
  authToken: string;
  /** Where the REST API is (default `https://api.twilio.com`; the stand-in's URL in development and tests). */
  apiBaseUrl?: string;
  /**
   * Messaging's public Twilio status webhook (`…/webhooks/twilio/status`), passed as
   * `StatusCallback` with `messageId=<our message id>` added: Twilio signs the URL as given, and
   * messaging matches a callback that arrives before the worker's SENT by that id.
   */
  statusCallbackUrl?: string | null;
  /** Request timeout in ms (default 10 000). */
  timeoutMs?: number;
}

/** Twilio error codes that will not succeed on a retry (the recipient or the content is the problem). */
const PERMANENT_CODES = new Set([
  20003, // authentication failed
  21211, // invalid To
  21212, // invalid From
  21408, // region not enabled
  21610, // recipient unsubscribed (STOP)
  21612, // To not reachable from this From
  21614, // not a mobile number
  21617, // body too long
  21656, // invalid ContentVariables
  21655, // invalid ContentSid
  63016, // WhatsApp free-form outside the 24-hour window
]);
const RATE_LIMIT_CODES = new Set([20429, 63018]);

/** Maps what the twilio SDK throws to a ProviderError. */
export function twilioFailure(error: unknown): ProviderError {
  if (error instanceof ProviderError) return error;
  if (error instanceof twilio.RestException) {
    const status = error.status;
    const code = typeof error.code === 'number' ? error.code : undefined;
    const text = String(code ?? status);
    const reason = safeReason(error.message, `Twilio answered HTTP ${status}`);
    if ((code !== undefined && RATE_LIMIT_CODES.has(code)) || status === 429) return new ProviderError('RATE_LIMITED', text, reason);
    if (code !== undefined && PERMANENT_CODES.has(code)) return new ProviderError('PERMANENT', text, reason);
    if (status >= 500 || status === 408) return new ProviderError('TRANSIENT', text, reason);
    return new ProviderError('PERMANENT', text, reason);
  }
  return (
    networkFailure(error) ??
    new ProviderError('TRANSIENT', 'UNEXPECTED', safeReason((error as Error)?.message, 'unexpected error calling Twilio'))
  );
}

export type TwilioMessageParams = Omit<Parameters<twilio.Twilio['messages']['create']>[0], 'statusCallback'>;

/** The one call both Twilio providers make: create a Message resource. */
export interface TwilioMessagesApi {
  create(messageId: string, params: TwilioMessageParams): Promise<ProviderAcceptance>;
}

function statusCallbackFor(base: string, messageId: string): string {
  const url = new URL(base);
  url.searchParams.set('messageId', messageId);
  return url.toString();
}

export function createTwilioMessagesApi(account: TwilioAccount): TwilioMessagesApi {
  const timeout = account.timeoutMs ?? 10_000;
  const client = twilio(account.accountSid, account.authToken, {
    httpClient: new ApiBaseRequestClient(account.apiBaseUrl ?? TWILIO_API_BASE_URL, { timeout, keepAlive: true, autoRetry: false }),
    // Configuration comes from our config.ts only: keep the SDK from reading TWILIO_* variables.
    env: {},
  });
  // The SDK loads its API modules on first use: do it now, not inside the first rate-limited send.
  const messages = client.messages;
  return {
    async create(messageId, params) {
      try {
        const message = await messages.create({
          ...params,
          ...(account.statusCallbackUrl ? { statusCallback: statusCallbackFor(account.statusCallbackUrl, messageId) } : {}),
        });
        return { providerMessageId: message.sid, status: 'SENT', providerStatus: message.status };
      } catch (error) {
        throw twilioFailure(error);
      }
    },
  };
}

/** `MG…` is a Messaging Service (Twilio picks the number); anything else is the From address. */
export function senderParams(from: string): { from: string } | { messagingServiceSid: string } {
  return /^MG[0-9a-fA-F]{32}$/u.test(from) ? { messagingServiceSid: from } : { from };
}
