import { createTwilioMessagesApi, senderParams, type TwilioAccount } from '../twilio/twilio-api';
import type { SmsProvider } from '../provider';

/** SMS through Twilio Programmable Messaging (the twilio SDK). */
export function createTwilioSmsProvider(account: TwilioAccount): SmsProvider {
  const api = createTwilioMessagesApi(account);
  return {
    vendor: 'twilio',
    send: (sms) => api.create(sms.messageId, { to: sms.to, ...senderParams(sms.from), body: sms.body }),
    close: async () => {},
  };
}
