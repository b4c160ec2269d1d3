import { ProviderError } from './provider';

/** Error codes of Node sockets, DNS, undici (fetch), axios (twilio) and nodemailer that mean "the network failed". */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'ESOCKETTIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ERR_NETWORK',
  'ERR_SOCKET_CONNECTION_TIMEOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  // nodemailer
  'ECONNECTION',
  'ESOCKET',
  'EDNS',
]);

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * A network failure or a timeout (ours or the socket's) as a TRANSIENT ProviderError; undefined
 * for anything else. Looks through `cause` (fetch wraps the socket error in `TypeError: fetch failed`).
 */
export function networkFailure(error: unknown): ProviderError | undefined {
  for (let current: unknown = error, depth = 0; current && depth < 4; current = (current as { cause?: unknown }).cause, depth++) {
    const name = (current as { name?: unknown }).name;
    if (name === 'TimeoutError' || name === 'AbortError') {
      return new ProviderError('TRANSIENT', 'TIMEOUT', 'the provider did not answer in time');
    }
    const code = codeOf(current);
    if (code && NETWORK_CODES.has(code)) {
      const timeout = code.includes('TIMEOUT') || code === 'ETIMEDOUT' || code === 'ECONNABORTED';
      return new ProviderError('TRANSIENT', timeout ? 'TIMEOUT' : code, timeout ? 'the provider did not answer in time' : `network error (${code})`);
    }
  }
  return undefined;
}

const EMAIL = /[^\s@<>"'(),;:]+@[^\s@<>"'(),;:]+\.[^\s@<>"'(),;:]+/gu;
const PHONE = /(?:whatsapp:)?(?:\+\d[\d\s().-]*\d|\d[\d\s().-]{5,}\d)/gu;

/**
 * Provider error texts quote the recipient ("The 'To' number +1555… is not valid"): reasons
 * travel in events and logs, so addresses are replaced and the text is bounded.
 */
export function safeReason(text: unknown, fallback = 'the provider refused the message'): string {
  if (typeof text !== 'string' || text.trim() === '') return fallback;
  const cleaned = text.replace(EMAIL, '[address]').replace(PHONE, '[number]').replace(/\s+/gu, ' ').trim();
  return cleaned.length > 300 ? `${cleaned.slice(0, 297)}...` : cleaned;
}
