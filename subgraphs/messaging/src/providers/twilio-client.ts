import twilio from 'twilio';
import type RequestClient from 'twilio/lib/base/RequestClient';
import type Response from 'twilio/lib/http/response';

const TWILIO_API = /^https:\/\/api\.twilio\.com/u;

/**
 * The twilio SDK's documented extension point for another API origin (a local stand-in, a proxy):
 * an `httpClient` rewriting the `https://api.twilio.com` prefix of every request.
 */
export class BaseUrlRequestClient extends twilio.RequestClient {
  private readonly baseUrl: string;

  constructor(baseUrl: string, options?: RequestClient.RequestClientOptions) {
    super(options);
    this.baseUrl = baseUrl.replace(/\/+$/u, '');
  }

  override request<TData>(opts: RequestClient.RequestOptions<TData>): Promise<Response<TData>> {
    return super.request({ ...opts, uri: opts.uri.replace(TWILIO_API, this.baseUrl) });
  }
}

export interface TwilioAccount {
  accountSid: string;
  authToken: string;
  /** Another API origin than https://api.twilio.com (the local stand-in). */
  apiBaseUrl?: string;
}

/** A twilio SDK client for the account (10-second timeout). */
export function createTwilioClient(account: TwilioAccount): twilio.Twilio {
  const options = { timeout: 10_000 };
  const httpClient = account.apiBaseUrl ? new BaseUrlRequestClient(account.apiBaseUrl, options) : new twilio.RequestClient(options);
  return twilio(account.accountSid, account.authToken, { httpClient });
}
