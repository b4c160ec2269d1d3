import twilio from 'twilio';
import type RequestClient from 'twilio/lib/base/RequestClient';
import type Response from 'twilio/lib/http/response';

/** Where the twilio SDK sends its REST requests unless told otherwise. */
export const TWILIO_API_BASE_URL = 'https://api.twilio.com';

const TWILIO_API_ORIGIN = /^https:\/\/api(?:\.[a-z0-9-]+)*\.twilio\.com/u;

/**
 * The SDK's documented extension point for sending its requests elsewhere (a local stand-in, a
 * proxy): an `httpClient` whose `request` rewrites the `https://api.twilio.com` origin (also
 * `api.<edge>.<region>.twilio.com`) to the configured API base. Everything else — auth, form
 * encoding, errors — is the SDK's own.
 * Usage: `twilio(sid, token, { httpClient: new ApiBaseRequestClient(url) })`.
 */
export class ApiBaseRequestClient extends twilio.RequestClient {
  private readonly apiBaseUrl: string;

  constructor(apiBaseUrl: string, options?: RequestClient.RequestClientOptions) {
    super(options);
    this.apiBaseUrl = apiBaseUrl.replace(/\/+$/u, '');
  }

  override request<TData>(options: RequestClient.RequestOptions<TData>): Promise<Response<TData>> {
    return super.request({ ...options, uri: options.uri.replace(TWILIO_API_ORIGIN, this.apiBaseUrl) });
  }
}
