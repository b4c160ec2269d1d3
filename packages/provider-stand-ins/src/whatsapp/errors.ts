import { randomBytes } from 'node:crypto';
import { json, type HttpResponse } from '../http';

/** Graph API error body: `{error:{message, type, code, error_subcode?, error_data?, fbtrace_id}}`. */
export function graphError(
  status: number,
  code: number,
  message: string,
  extra: { type?: string; details?: string; subcode?: number } = {},
): HttpResponse {
  return json(
    status,
    {
      error: {
        message,
        type: extra.type ?? 'OAuthException',
        code,
        ...(extra.subcode === undefined ? {} : { error_subcode: extra.subcode }),
        ...(extra.details === undefined ? {} : { error_data: { messaging_product: 'whatsapp', details: extra.details } }),
        fbtrace_id: randomBytes(9).toString('base64url'),
      },
    },
    status === 401 ? { 'www-authenticate': 'OAuth "Facebook Platform" "invalid_token" "Invalid OAuth access token"' } : undefined,
  );
}

export const WHATSAPP_ERRORS = {
  missingToken: () =>
    graphError(400, 2500, 'An active access token must be used to query information about the current user.'),
  invalidToken: () => graphError(401, 190, 'Invalid OAuth access token - Cannot parse access token'),
  invalidParameter: (details: string) => graphError(400, 100, '(#100) Invalid parameter', { details }),
  unknownPath: (path: string) =>
    graphError(400, 100, `Unsupported post request. Object with ID '${path}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`, {
      type: 'GraphMethodException',
      subcode: 33,
    }),
  rateLimited: () =>
    graphError(400, 130429, '(#130429) Rate limit hit', {
      details: 'Cloud API message throughput has been reached.',
    }),
  serverError: (status: number) =>
    status === 503
      ? graphError(503, 2, '(#2) Service temporarily unavailable', { type: 'OAuthException' })
      : graphError(status, 131000, '(#131000) Something went wrong', { details: 'Something went wrong.' }),
} as const;

/** Errors carried by a `failed` status webhook (`statuses[].errors[]`). */
const STATUS_ERROR_TITLES: Record<number, { title: string; details: string }> = {
  131026: { title: 'Message undeliverable', details: 'Message Undeliverable.' },
  131047: {
    title: 'Re-engagement message',
    details: 'Message failed to send because more than 24 hours have passed since the customer last replied to this number.',
  },
  131049: {
    title: 'This message was not delivered to maintain healthy ecosystem engagement.',
    details: 'In order to maintain a healthy ecosystem engagement, the message failed to be delivered.',
  },
  131050: { title: 'Unable to deliver the message. This recipient has chosen to stop receiving marketing messages on WhatsApp from your business', details: 'The user has stopped marketing messages.' },
};

export function statusError(code: number): Record<string, unknown> {
  const known = STATUS_ERROR_TITLES[code] ?? { title: `Error ${code}`, details: `Message failed with error ${code}.` };
  return {
    code,
    title: known.title,
    message: known.title,
    error_data: { details: known.details },
    href: 'https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/',
  };
}
