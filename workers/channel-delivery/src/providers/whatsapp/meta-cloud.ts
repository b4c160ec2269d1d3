import { networkFailure, safeReason } from '../failures';
import { ProviderError, type WhatsappContent, type WhatsappProvider } from '../provider';

/** A WhatsApp Cloud API access as the provider uses it. */
export interface MetaCloudAccount {
  /** System-user or app access token (Bearer). */
  accessToken: string;
  /** Graph API origin (default `https://graph.facebook.com`; the stand-in's URL in development and tests). */
  apiBaseUrl?: string;
  /** Graph API version (default `v23.0`). */
  apiVersion?: string;
  /** Request timeout in ms (default 10 000). */
  timeoutMs?: number;
}

/** Meta error codes that mean "slow down". */
const RATE_LIMIT_CODES = new Set([
  4, // application request limit
  80007, // WhatsApp Business Account rate limit
  130429, // throughput limit of the number
  131048, // spam rate limit
  131056, // pair rate limit (same sender → same recipient)
]);
/** Meta error codes that are temporary on Meta's side. */
const TRANSIENT_CODES = new Set([1, 2, 131000, 131016, 133004]);

/** Maps an error answer of the Graph API to a ProviderError (codes first, then the HTTP status). */
export function metaFailure(status: number, body: unknown, retryAfterMs?: number): ProviderError {
  const error = (body as { error?: { code?: unknown; message?: unknown; error_data?: { details?: unknown } } } | null)?.error;
  const code = typeof error?.code === 'number' ? error.code : undefined;
  const text = String(code ?? status);
  const details = typeof error?.error_data?.details === 'string' ? ` (${error.error_data.details})` : '';
  const reason = safeReason(typeof error?.message === 'string' ? `${error.message}${details}` : undefined, `WhatsApp answered HTTP ${status}`);
  if ((code !== undefined && RATE_LIMIT_CODES.has(code)) || status === 429) return new ProviderError('RATE_LIMITED', text, reason, retryAfterMs);
  if ((code !== undefined && TRANSIENT_CODES.has(code)) || status >= 500 || status === 408) {
    return new ProviderError('TRANSIENT', text, reason, retryAfterMs);
  }
  // 132000 template parameter mismatch, 190 expired token, 100 invalid parameter, 131030 …
  return new ProviderError('PERMANENT', text, reason);
}

function parseRetryAfter(value: string | null): number | undefined {
  if (value === null) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

/** The Cloud API's message object for our content (`to` as the WhatsApp id: digits, no `+`). */
export function cloudApiMessage(to: string, content: WhatsappContent): Record<string, unknown> {
  const base = { messaging_product: 'whatsapp', recipient_type: 'individual', to: to.replace(/^\+/u, '') };
  switch (content.kind) {
    case 'text':
      return { ...base, type: 'text', text: { body: content.body, preview_url: content.previewUrl } };
    case 'template': {
      const components = [
        ...(content.headerParameters.length > 0
          ? [{ type: 'header', parameters: content.headerParameters.map((text) => ({ type: 'text', text })) }]
          : []),
        ...(content.bodyParameters.length > 0
          ? [{ type: 'body', parameters: content.bodyParameters.map((text) => ({ type: 'text', text })) }]
          : []),
      ];
      return {
        ...base,
        type: 'template',
        template: {
          name: content.name,
          language: { policy: 'deterministic', code: content.language },
          ...(components.length > 0 ? { components } : {}),
        },
      };
    }
    case 'media': {
      const media: Record<string, string> = { link: content.url };
      // Audio takes no caption; only documents have a file name.
      if (content.caption && content.mediaType !== 'audio') media.caption = content.caption;
      if (content.filename && content.mediaType === 'document') media.filename = content.filename;
      return { ...base, type: content.mediaType, [content.mediaType]: media };
    }
  }
}

/** WhatsApp through Meta's Cloud API (`POST /{version}/{phone-number-id}/messages`) over fetch. */
export function createMetaCloudWhatsappProvider(account: MetaCloudAccount): WhatsappProvider {
  const origin = (account.apiBaseUrl ?? 'https://graph.facebook.com').replace(/\/+$/u, '');
  const version = account.apiVersion ?? 'v23.0';
  const timeoutMs = account.timeoutMs ?? 10_000;
  return {
    vendor: 'meta-cloud',
    async send(message) {
      const url = `${origin}/${version}/${encodeURIComponent(message.from)}/messages`;
      let status: number;
      let body: unknown;
      let retryAfter: string | null;
      try {
        const response = await fetch(url, {
          method: 'POST',
          headers: { authorization: `Bearer ${account.accessToken}`, 'content-type': 'application/json' },
          body: JSON.stringify(cloudApiMessage(message.to, message.content)),
          signal: AbortSignal.timeout(timeoutMs),
        });
        status = response.status;
        retryAfter = response.headers.get('retry-after');
        const text = await response.text();
        try {
          body = text === '' ? null : JSON.parse(text);
        } catch {
          body = null;
        }
      } catch (error) {
        throw networkFailure(error) ?? new ProviderError('TRANSIENT', 'UNEXPECTED', safeReason((error as Error)?.message, 'unexpected error calling WhatsApp'));
      }
      if (status < 200 || status >= 300) throw metaFailure(status, body, parseRetryAfter(retryAfter));
      const accepted = (body as { messages?: { id?: unknown; message_status?: unknown }[] } | null)?.messages?.[0];
      if (typeof accepted?.id !== 'string' || accepted.id === '') {
        throw new ProviderError('TRANSIENT', 'INVALID_RESPONSE', 'WhatsApp accepted the request without a message id');
      }
      return {
        providerMessageId: accepted.id,
        status: 'SENT',
        providerStatus: typeof accepted.message_status === 'string' ? accepted.message_status : 'accepted',
      };
    },
    close: async () => {},
  };
}
