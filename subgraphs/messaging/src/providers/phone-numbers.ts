import type { TwilioAccount } from './twilio-client';
import { createTwilioClient } from './twilio-client';

/** Buying phone numbers from a provider (Twilio's AvailablePhoneNumbers and IncomingPhoneNumbers). */
export interface PhoneNumberProvider {
  /** The account the numbers are bought on (its credentials become the sender's). */
  readonly account: { accountSid: string; authToken: string };
  /** Finds one SMS-capable number and buys it with its inbound webhook set. */
  buy(request: BuyNumberRequest): Promise<BoughtNumber>;
  /** Gives a bought number back (when we could not record it). */
  release(providerResourceId: string): Promise<void>;
}

export interface BuyNumberRequest {
  country: string;
  areaCode: string | null;
  friendlyName: string;
  smsUrl: string;
}

export interface BoughtNumber {
  phoneNumber: string;
  /** The provider's id of the number (Twilio `PN…`). */
  providerResourceId: string;
}

/** No number matches the search. */
export class NoNumberAvailableError extends Error {
  constructor() {
    super('No phone number is available for this search');
    this.name = 'NoNumberAvailableError';
  }
}

/** The provider refused the request; `code` is its error code (Twilio 20003 …). */
export class ProviderRequestError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
    readonly code: number | null,
  ) {
    super(message);
    this.name = 'ProviderRequestError';
  }
}

function asProviderError(error: unknown): ProviderRequestError {
  const e = error as { status?: unknown; code?: unknown; message?: unknown };
  const status = typeof e?.status === 'number' ? e.status : null;
  const code = typeof e?.code === 'number' ? e.code : null;
  const message = typeof e?.message === 'string' ? e.message : 'the provider could not be reached';
  return new ProviderRequestError(message.slice(0, 300), status, code);
}

export class TwilioPhoneNumbers implements PhoneNumberProvider {
  private readonly client: ReturnType<typeof createTwilioClient>;

  constructor(readonly account: TwilioAccount) {
    this.client = createTwilioClient(account);
  }

  async buy(request: BuyNumberRequest): Promise<BoughtNumber> {
    let candidates;
    try {
      candidates = await this.client.availablePhoneNumbers(request.country).local.list({
        ...(request.areaCode ? { areaCode: Number(request.areaCode) } : {}),
        smsEnabled: true,
        limit: 1,
      });
    } catch (error) {
      throw asProviderError(error);
    }
    const candidate = candidates[0];
    if (!candidate) throw new NoNumberAvailableError();
    try {
      const bought = await this.client.incomingPhoneNumbers.create({
        phoneNumber: candidate.phoneNumber,
        friendlyName: request.friendlyName,
        smsUrl: request.smsUrl,
        smsMethod: 'POST',
      });
      return { phoneNumber: bought.phoneNumber, providerResourceId: bought.sid };
    } catch (error) {
      throw asProviderError(error);
    }
  }

  async release(providerResourceId: string): Promise<void> {
    try {
      await this.client.incomingPhoneNumbers(providerResourceId).remove();
    } catch (error) {
      throw asProviderError(error);
    }
  }
}
