import twilio from 'twilio';
import type RequestClient from 'twilio/lib/base/RequestClient';
import type Response from 'twilio/lib/http/response';

const TWILIO_API = /^https:\/\/api\.twilio\.com/;

/**
 * Points the twilio SDK at another base URL (a stand-in, or a Prism proxy in front of one): the
 * SDK's documented `httpClient` extension point, rewriting the `https://api.twilio.com` prefix of
 * every request. Usage: `twilio(sid, token, { httpClient: new StandInTwilioRequestClient(url) })`.
 */
export class StandInTwilioRequestClient extends twilio.RequestClient {
  private readonly baseUrl: string;

  constructor(baseUrl: string, options?: RequestClient.RequestClientOptions) {
    super(options);
    this.baseUrl = baseUrl.replace(/\/+$/, '');
  }

  override request<TData>(opts: RequestClient.RequestOptions<TData>): Promise<Response<TData>> {
    return super.request({ ...opts, uri: opts.uri.replace(TWILIO_API, this.baseUrl) });
  }
}
