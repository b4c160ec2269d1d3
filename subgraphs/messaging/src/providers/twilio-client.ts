import twilio from 'twilio';
import { ApiBaseRequestClient } from '@switchboard/twilio-client';

export interface TwilioAccount {
  accountSid: string;
  authToken: string;
  /** Another API origin than https://api.twilio.com (the local stand-in). */
  apiBaseUrl?: string;
}

/** A twilio SDK client for the account (10-second timeout). */
export function createTwilioClient(account: TwilioAccount): twilio.Twilio {
  const options = { timeout: 10_000 };
  const httpClient = account.apiBaseUrl ? new ApiBaseRequestClient(account.apiBaseUrl, options) : new twilio.RequestClient(options);
  return twilio(account.accountSid, account.authToken, { httpClient });
}
