import { CHANNELS, type ConsentChannel, type ConsentStatus } from './contact-fields';
import type { ContactRecord } from './types';

/** One channel's consent as the API shows it. */
export interface ChannelConsentValue {
  channel: ConsentChannel;
  status: ConsentStatus;
  source: string | null;
  updatedAt: Date | null;
}

export function consentOf(contact: ContactRecord, channel: ConsentChannel): ChannelConsentValue {
  switch (channel) {
    case 'EMAIL':
      return { channel, status: contact.emailConsent, source: contact.emailConsentSource, updatedAt: contact.emailConsentAt };
    case 'SMS':
      return { channel, status: contact.smsConsent, source: contact.smsConsentSource, updatedAt: contact.smsConsentAt };
    case 'WHATSAPP':
      return { channel, status: contact.whatsappConsent, source: contact.whatsappConsentSource, updatedAt: contact.whatsappConsentAt };
  }
}

export function allConsent(contact: ContactRecord): ChannelConsentValue[] {
  return CHANNELS.map((channel) => consentOf(contact, channel));
}
