import nodemailer from 'nodemailer';
import { networkFailure, safeReason } from '../failures';
import { ProviderError, type EmailProvider } from '../provider';

export interface SmtpAccount {
  /**
   * `smtp://user:pass@host:port` (or `smtps://`); nodemailer options may ride in the query string,
   * e.g. `?ignoreTLS=true` for a local server without TLS.
   */
  url: string;
  /** Domain of the Message-ID we set, `<messageId@domain>` (default `switchboard`). */
  messageIdDomain?: string;
  /** Connection, greeting and socket timeout in ms (default 10 000). */
  timeoutMs?: number;
  /** Pooled connections to the server (default 2). */
  maxConnections?: number;
}

/** nodemailer codes that are about our configuration or the message, not the network. */
const PERMANENT_CODES = new Set(['EAUTH', 'ENOAUTH', 'EOAUTH2', 'ECONFIG', 'EENVELOPE', 'EMAXRECIPIENTS', 'EREQUIRETLS']);

/** Maps what nodemailer throws: SMTP 4xx → TRANSIENT, 5xx → PERMANENT, network errors and timeouts → TRANSIENT. */
export function smtpFailure(error: unknown): ProviderError {
  if (error instanceof ProviderError) return error;
  const e = error as { responseCode?: unknown; response?: unknown; code?: unknown; message?: unknown } | null;
  const responseCode = typeof e?.responseCode === 'number' ? e.responseCode : undefined;
  const reason = safeReason(typeof e?.response === 'string' ? e.response : e?.message, 'the SMTP server refused the message');
  if (responseCode !== undefined && responseCode >= 400 && responseCode < 500) return new ProviderError('TRANSIENT', String(responseCode), reason);
  if (responseCode !== undefined && responseCode >= 500) return new ProviderError('PERMANENT', String(responseCode), reason);
  const network = networkFailure(error);
  if (network) return network;
  const code = typeof e?.code === 'string' ? e.code : 'UNEXPECTED';
  return new ProviderError(PERMANENT_CODES.has(code) ? 'PERMANENT' : 'TRANSIENT', code, reason);
}

/** Email through SMTP (nodemailer, pooled connections). The Message-ID is ours: `<messageId@switchboard>`. */
export function createSmtpEmailProvider(account: SmtpAccount): EmailProvider {
  const timeout = account.timeoutMs ?? 10_000;
  const domain = account.messageIdDomain ?? 'switchboard';
  const transport = nodemailer.createTransport({
    url: account.url,
    pool: true,
    maxConnections: account.maxConnections ?? 2,
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout,
  } as Parameters<typeof nodemailer.createTransport>[0]);
  return {
    vendor: 'smtp',
    async send(email) {
      const messageId = `<${email.messageId}@${domain}>`;
      let info: { messageId?: string; accepted?: unknown[]; rejected?: unknown[]; response?: string };
      try {
        info = await transport.sendMail({
          messageId,
          from: email.from.name ? { name: email.from.name, address: email.from.address } : email.from.address,
          to: email.to.name ? { name: email.to.name, address: email.to.address } : email.to.address,
          ...(email.replyTo ? { replyTo: email.replyTo } : {}),
          subject: email.subject,
          ...(email.html !== null ? { html: email.html } : {}),
          ...(email.text !== null ? { text: email.text } : {}),
        });
      } catch (error) {
        throw smtpFailure(error);
      }
      if ((info.rejected?.length ?? 0) > 0 || (info.accepted?.length ?? 0) === 0) {
        throw new ProviderError('PERMANENT', 'REJECTED', 'the SMTP server rejected the recipient');
      }
      return { providerMessageId: info.messageId ?? messageId, status: 'SENT', providerStatus: 'accepted' };
    },
    close: async () => {
      transport.close();
    },
  };
}
