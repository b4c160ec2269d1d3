// Phone numbers an account can search (AvailablePhoneNumbers/{Country}/Local) and buy
// (IncomingPhoneNumbers). Offered numbers come from ranges reserved for fiction, so nothing the
// stand-in hands out is a real subscriber's number: +1 NPA 555-0100…0199 (US/CA) and
// +44 7700 900000…900999 (GB, Ofcom's drama range).
import { twilioSid } from '../ids';
import { rfc2822 } from './messages';

interface AreaInfo {
  country: 'US' | 'CA';
  locality: string;
  region: string;
  postalCode: string;
  rateCenter: string;
  lata: string;
  latitude: number;
  longitude: number;
}

const AREAS: Record<string, AreaInfo> = {
  '206': { country: 'US', locality: 'Seattle', region: 'WA', postalCode: '98101', rateCenter: 'SEATTLE', lata: '674', latitude: 47.61, longitude: -122.33 },
  '212': { country: 'US', locality: 'New York', region: 'NY', postalCode: '10001', rateCenter: 'NWYRCYZN01', lata: '132', latitude: 40.75, longitude: -73.99 },
  '312': { country: 'US', locality: 'Chicago', region: 'IL', postalCode: '60601', rateCenter: 'CHICAGO', lata: '358', latitude: 41.88, longitude: -87.62 },
  '415': { country: 'US', locality: 'San Francisco', region: 'CA', postalCode: '94105', rateCenter: 'SNFC CNTRL', lata: '722', latitude: 37.79, longitude: -122.39 },
  '512': { country: 'US', locality: 'Austin', region: 'TX', postalCode: '78701', rateCenter: 'AUSTIN', lata: '558', latitude: 30.27, longitude: -97.74 },
  '617': { country: 'US', locality: 'Boston', region: 'MA', postalCode: '02108', rateCenter: 'BOSTON', lata: '128', latitude: 42.36, longitude: -71.06 },
  '416': { country: 'CA', locality: 'Toronto', region: 'ON', postalCode: 'M5H', rateCenter: 'TORONTO', lata: '888', latitude: 43.65, longitude: -79.38 },
  '604': { country: 'CA', locality: 'Vancouver', region: 'BC', postalCode: 'V6B', rateCenter: 'VANCOUVER', lata: '888', latitude: 49.28, longitude: -123.12 },
};

const DEFAULT_AREA: Record<string, string> = { US: '415', CA: '604' };

export const SUPPORTED_COUNTRIES = ['US', 'CA', 'GB'] as const;

export interface AvailableNumberQuery {
  country: string;
  areaCode?: string;
  contains?: string;
  limit: number;
}

export interface OwnedNumber {
  sid: string;
  accountSid: string;
  phoneNumber: string;
  friendlyName: string;
  smsUrl: string | null;
  smsMethod: string;
  statusCallback: string | null;
  dateCreated: Date;
}

function friendlyName(phoneNumber: string): string {
  const nanp = /^\+1(\d{3})(\d{3})(\d{4})$/.exec(phoneNumber);
  if (nanp) return `(${nanp[1]}) ${nanp[2]}-${nanp[3]}`;
  const gb = /^\+44(\d{4})(\d{6})$/.exec(phoneNumber);
  if (gb) return `0${gb[1]} ${gb[2]}`;
  return phoneNumber;
}

function candidates(country: string, areaCode: string | undefined): string[] {
  if (country === 'GB') return Array.from({ length: 1000 }, (_, i) => `+447700900${String(i).padStart(3, '0')}`);
  const area = areaCode ?? DEFAULT_AREA[country];
  if (area === undefined || !/^[2-9]\d{2}$/.test(area)) return [];
  const known = AREAS[area];
  if (known !== undefined && known.country !== country) return [];
  return Array.from({ length: 100 }, (_, i) => `+1${area}555${String(100 + i).padStart(4, '0')}`);
}

/** `Contains`: digits, with `*` matching any one digit (Twilio's pattern syntax, letters not supported). */
function containsPattern(contains: string | undefined): RegExp | undefined {
  if (contains === undefined || contains === '') return undefined;
  const source = contains.replace(/[^0-9*]/g, '').replace(/\*/g, '\\d');
  return new RegExp(source);
}

export class PhoneNumberInventory {
  private readonly owned = new Map<string, OwnedNumber>();

  constructor(private readonly accountSid: string, initial: string[] = []) {
    for (const number of initial) this.buy(number, {});
  }

  search(query: AvailableNumberQuery): Array<Record<string, unknown>> {
    const pattern = containsPattern(query.contains);
    return candidates(query.country, query.areaCode)
      .filter((number) => !this.owned.has(number))
      .filter((number) => pattern === undefined || pattern.test(number.slice(1)))
      .slice(0, query.limit)
      .map((number) => this.renderAvailable(number, query.country));
  }

  isAvailable(phoneNumber: string): boolean {
    if (this.owned.has(phoneNumber)) return false;
    if (phoneNumber.startsWith('+44')) return candidates('GB', undefined).includes(phoneNumber);
    const nanp = /^\+1(\d{3})/.exec(phoneNumber);
    if (!nanp) return false;
    const area = nanp[1]!;
    const country = AREAS[area]?.country ?? 'US';
    return candidates(country, area).includes(phoneNumber);
  }

  firstAvailableInArea(areaCode: string): string | undefined {
    const country = AREAS[areaCode]?.country ?? 'US';
    return candidates(country, areaCode).find((number) => !this.owned.has(number));
  }

  buy(phoneNumber: string, settings: { friendlyName?: string; smsUrl?: string; smsMethod?: string; statusCallback?: string }): OwnedNumber {
    const owned: OwnedNumber = {
      sid: twilioSid('PN'),
      accountSid: this.accountSid,
      phoneNumber,
      friendlyName: settings.friendlyName ?? friendlyName(phoneNumber),
      smsUrl: settings.smsUrl ?? null,
      smsMethod: settings.smsMethod ?? 'POST',
      statusCallback: settings.statusCallback ?? null,
      dateCreated: new Date(),
    };
    this.owned.set(phoneNumber, owned);
    return owned;
  }

  get(phoneNumber: string): OwnedNumber | undefined {
    return this.owned.get(phoneNumber.replace(/^whatsapp:/, ''));
  }

  list(): OwnedNumber[] {
    return [...this.owned.values()];
  }

  private renderAvailable(phoneNumber: string, country: string): Record<string, unknown> {
    const area = AREAS[phoneNumber.slice(2, 5)];
    const nanp = country !== 'GB';
    return {
      friendly_name: friendlyName(phoneNumber),
      phone_number: phoneNumber,
      lata: nanp ? (area?.lata ?? null) : null,
      locality: nanp ? (area?.locality ?? null) : null,
      rate_center: nanp ? (area?.rateCenter ?? null) : null,
      latitude: nanp ? (area?.latitude ?? null) : null,
      longitude: nanp ? (area?.longitude ?? null) : null,
      region: nanp ? (area?.region ?? null) : null,
      postal_code: nanp ? (area?.postalCode ?? null) : null,
      iso_country: country,
      address_requirements: nanp ? 'none' : 'any',
      beta: false,
      capabilities: { voice: true, sms: true, mms: nanp, fax: false },
    };
  }
}

export function renderOwnedNumber(owned: OwnedNumber): Record<string, unknown> {
  const date = rfc2822(owned.dateCreated);
  return {
    account_sid: owned.accountSid,
    address_requirements: owned.phoneNumber.startsWith('+44') ? 'any' : 'none',
    address_sid: null,
    api_version: '2010-04-01',
    beta: false,
    capabilities: { voice: true, sms: true, mms: owned.phoneNumber.startsWith('+1'), fax: false },
    date_created: date,
    date_updated: date,
    emergency_status: 'Inactive',
    emergency_address_sid: null,
    emergency_address_status: 'unregistered',
    friendly_name: owned.friendlyName,
    identity_sid: null,
    origin: 'twilio',
    phone_number: owned.phoneNumber,
    sid: owned.sid,
    sms_application_sid: null,
    sms_fallback_method: 'POST',
    sms_fallback_url: null,
    sms_method: owned.smsMethod,
    sms_url: owned.smsUrl,
    status_callback: owned.statusCallback,
    status_callback_method: 'POST',
    trunk_sid: null,
    uri: `/2010-04-01/Accounts/${owned.accountSid}/IncomingPhoneNumbers/${owned.sid}.json`,
    voice_application_sid: null,
    voice_caller_id_lookup: false,
    voice_fallback_method: 'POST',
    voice_fallback_url: null,
    voice_method: 'POST',
    voice_url: null,
    voice_receive_mode: 'voice',
    bundle_sid: null,
    status: 'in-use',
    type: owned.phoneNumber.startsWith('+447') ? 'mobile' : 'local',
  };
}
