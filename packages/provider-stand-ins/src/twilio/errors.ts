import { json, type HttpResponse } from '../http';

/** Twilio's REST error body: `{code, message, more_info, status}` (the SDK's RestException reads it). */
export function twilioError(status: number, code: number, message: string, headers?: Record<string, string>): HttpResponse {
  return json(status, { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status }, headers);
}

export const TWILIO_ERRORS = {
  authenticate: () =>
    twilioError(401, 20003, 'Authenticate', { 'www-authenticate': 'Basic realm="Twilio API"' }),
  notFound: (path: string) => twilioError(404, 20404, `The requested resource ${path} was not found`),
  rateLimited: () => twilioError(429, 20429, 'Too Many Requests'),
  serverError: (status: number) =>
    status === 503
      ? twilioError(503, 20503, 'Service Unavailable')
      : twilioError(status, 20500, 'An internal server error has occurred'),
} as const;

/** Messages for the permanent-error codes a rule can inject (unknown codes get a generic text). */
const PERMANENT_MESSAGES: Record<number, string> = {
  21211: "The 'To' number is not a valid phone number.",
  21408: 'Permission to send an SMS has not been enabled for the region indicated by the \'To\' number.',
  21610: 'Attempt to send to unsubscribed recipient',
  21612: "The 'To' phone number is not currently reachable using the 'From' phone number via SMS.",
  21614: "'To' number is not a valid mobile number",
  63016:
    'Failed to send freeform message because you are outside the allowed window. If you are using WhatsApp, please use a Message Template.',
};

export function permanentError(code: number): HttpResponse {
  return twilioError(400, code, PERMANENT_MESSAGES[code] ?? `Message rejected (error ${code})`);
}

/** Error messages of the delivery failures posted in callbacks (ErrorCode) and set on the resource. */
export const DELIVERY_ERROR_MESSAGES: Record<number, string> = {
  30001: 'Queue overflow',
  30003: 'Unreachable destination handset',
  30005: 'Unknown destination handset',
  30006: 'Landline or unreachable carrier',
  30007: 'Message filtered',
  30008: 'Unknown error',
  63016: 'Failed to send freeform message because you are outside the allowed window.',
};
