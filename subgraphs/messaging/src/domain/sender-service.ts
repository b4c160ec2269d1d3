import { randomUUID } from 'node:crypto';
import type { Logger } from '@switchboard/config';
import { badUserInput, conflict, notFound, userError } from '@switchboard/subgraph-kit';
import { NoNumberAvailableError, ProviderRequestError, type PhoneNumberProvider } from '../providers/phone-numbers';
import { isUniqueViolation, type MessagingStore, type SenderChanges } from '../store';
import { maskAddress, normalizeEmail, normalizePhone } from './addresses';
import { CredentialsDecryptError, type CredentialsCipher } from '@switchboard/crypto';
import { isUuid } from './ids';
import { checkCredentials, credentialsHint, storedCredentialsSchema, type CredentialsInput, type SenderCredentials } from './sender-credentials';
import type { SenderKind, SenderProvider, SenderRecord } from './types';

export interface CreateSenderCommand {
  name: string;
  kind: SenderKind;
  provider?: SenderProvider | null;
  address: string;
  phoneNumberId?: string | null;
  businessAccountId?: string | null;
  displayName?: string | null;
  credentials?: CredentialsInput | null;
  rateLimitPerSecond?: number | null;
}

export interface UpdateSenderCommand {
  name?: string | null;
  displayName?: string | null;
  businessAccountId?: string | null;
  credentials?: CredentialsInput | null;
  rateLimitPerSecond?: number | null;
}

export interface ProvisionNumberCommand {
  areaCode?: string | null;
  country?: string | null;
  senderName: string;
  rateLimitPerSecond?: number | null;
}

const DEFAULT_PROVIDER: Record<SenderKind, SenderProvider> = { SMS_NUMBER: 'TWILIO', WHATSAPP_NUMBER: 'META_WHATSAPP', EMAIL_ADDRESS: 'SMTP' };
const ALLOWED_PROVIDERS: Record<SenderKind, SenderProvider[]> = {
  SMS_NUMBER: ['TWILIO'],
  WHATSAPP_NUMBER: ['META_WHATSAPP', 'TWILIO'],
  EMAIL_ADDRESS: ['SMTP'],
};
/** Twilio long codes send about 1 segment/s; WhatsApp Cloud API numbers 80 messages/s. */
const DEFAULT_RATE: Record<SenderKind, number> = { SMS_NUMBER: 1, WHATSAPP_NUMBER: 80, EMAIL_ADDRESS: 10 };
const MAX_RATE = 1000;
const NUMERIC_ID = /^\d{1,64}$/u;

/** The path of the Twilio inbound webhook on the messaging server (see webhooks/routes.ts). */
export const TWILIO_INBOUND_PATH = '/webhooks/twilio/inbound';

/**
 * Senders: the organization's numbers and email addresses, their provider credentials (encrypted
 * at rest, never returned, never logged) and rate limits; buying Twilio numbers.
 */
export class SenderService {
  constructor(
    private readonly store: MessagingStore,
    private readonly cipher: CredentialsCipher | null,
    private readonly phoneNumbers: PhoneNumberProvider | null,
    /** Public base URL of this server's webhooks (`https://api.example.com`). */
    private readonly webhookBaseUrl: string,
    private readonly log: Logger,
  ) {}

  list(organizationId: string): Promise<SenderRecord[]> {
    return this.store.senders.listLive(organizationId);
  }

  async get(organizationId: string, id: string): Promise<SenderRecord> {
    const sender = isUuid(id) ? await this.store.senders.findLive(organizationId, id) : null;
    if (!sender) throw notFound('Sender', id);
    return sender;
  }

  async create(organizationId: string, command: CreateSenderCommand): Promise<SenderRecord> {
    const name = this.nameOf(command.name, 'name');
    const kind = command.kind;
    const provider = command.provider ?? DEFAULT_PROVIDER[kind];
    if (!ALLOWED_PROVIDERS[kind].includes(provider)) {
      throw badUserInput(`A ${kind} sender uses ${ALLOWED_PROVIDERS[kind].join(' or ')}, not ${provider}`, 'provider');
    }
    const address = this.addressOf(kind, command.address);
    const whatsapp = kind === 'WHATSAPP_NUMBER';
    const phoneNumberId = this.optionalNumericId(command.phoneNumberId, 'phoneNumberId', whatsapp);
    if (whatsapp && provider === 'META_WHATSAPP' && !phoneNumberId) {
      throw badUserInput('A WhatsApp Cloud API number needs its phoneNumberId', 'phoneNumberId');
    }
    const businessAccountId = this.optionalNumericId(command.businessAccountId, 'businessAccountId', whatsapp);
    const displayName = this.displayNameOf(kind, command.displayName);
    const rateLimitPerSecond = this.rateOf(command.rateLimitPerSecond, DEFAULT_RATE[kind]);
    const id = randomUUID();
    const sealed = command.credentials ? this.seal(id, provider, command.credentials) : { credentialsCiphertext: null, credentialsHint: null };
    return this.insert({
      id,
      organizationId,
      name,
      kind,
      provider,
      address,
      phoneNumberId,
      businessAccountId,
      displayName,
      ...sealed,
      providerResourceId: null,
      rateLimitPerSecond,
    });
  }

  async update(organizationId: string, id: string, command: UpdateSenderCommand): Promise<SenderRecord> {
    const sender = await this.get(organizationId, id);
    const changes: SenderChanges = {};
    if (command.name !== null && command.name !== undefined) changes.name = this.nameOf(command.name, 'name');
    if (command.displayName !== undefined) changes.displayName = this.displayNameOf(sender.kind, command.displayName);
    if (command.businessAccountId !== undefined) {
      changes.businessAccountId = this.optionalNumericId(command.businessAccountId, 'businessAccountId', sender.kind === 'WHATSAPP_NUMBER');
    }
    if (command.rateLimitPerSecond !== null && command.rateLimitPerSecond !== undefined) {
      changes.rateLimitPerSecond = this.rateOf(command.rateLimitPerSecond, sender.rateLimitPerSecond);
    }
    if (command.credentials) Object.assign(changes, this.seal(sender.id, sender.provider, command.credentials));
    if (Object.keys(changes).length === 0) return sender;
    const updated = await this.store.senders.update(sender.id, changes);
    this.log.info({ senderId: sender.id, fields: Object.keys(changes).filter((f) => f !== 'credentialsCiphertext') }, 'sender updated');
    return updated;
  }

  async delete(organizationId: string, id: string): Promise<string> {
    const sender = await this.get(organizationId, id);
    await this.store.senders.softDelete(sender.id, new Date());
    this.log.info({ senderId: sender.id }, 'sender deleted');
    return sender.id;
  }

  /** Buys an SMS number from Twilio with its inbound webhook pointed here, and records it as a sender. */
  async provisionPhoneNumber(organizationId: string, command: ProvisionNumberCommand): Promise<SenderRecord> {
    const name = this.nameOf(command.senderName, 'senderName');
    const country = (command.country ?? 'US').trim().toUpperCase();
    if (!/^[A-Z]{2}$/u.test(country)) throw badUserInput('country is an ISO 3166-1 alpha-2 code such as US', 'country');
    const areaCode = command.areaCode?.trim() || null;
    if (areaCode !== null && !/^[2-9]\d{2}$/u.test(areaCode)) throw badUserInput('areaCode is 3 digits, such as 415', 'areaCode');
    const rateLimitPerSecond = this.rateOf(command.rateLimitPerSecond, DEFAULT_RATE.SMS_NUMBER);
    if (!this.phoneNumbers) {
      throw userError('PROVIDER_ERROR', 'Buying numbers is not configured on this server (no Twilio account)', { provider: 'TWILIO' });
    }

    let bought;
    try {
      bought = await this.phoneNumbers.buy({ country, areaCode, friendlyName: name, smsUrl: `${this.webhookBaseUrl}${TWILIO_INBOUND_PATH}` });
    } catch (error) {
      if (error instanceof NoNumberAvailableError) {
        throw userError('NOT_FOUND', areaCode ? `Twilio has no SMS number available in area code ${areaCode}` : `Twilio has no SMS number available in ${country}`, {
          entity: 'PhoneNumber',
        });
      }
      if (error instanceof ProviderRequestError && error.code === 20404) {
        // Twilio answers the country's AvailablePhoneNumbers list with "not found" where it sells no numbers.
        throw userError('NOT_FOUND', `Twilio offers no phone numbers in ${country}`, { entity: 'PhoneNumber', field: 'country' });
      }
      if (error instanceof ProviderRequestError) {
        this.log.warn({ status: error.status, providerCode: error.code }, 'Twilio refused a number purchase');
        throw userError('PROVIDER_ERROR', `Twilio refused: ${error.message}`, { provider: 'TWILIO', providerCode: error.code });
      }
      throw error;
    }
    const id = randomUUID();
    const account: SenderCredentials = { provider: 'TWILIO', ...this.phoneNumbers.account };
    try {
      const sender = await this.insert({
        id,
        organizationId,
        name,
        kind: 'SMS_NUMBER',
        provider: 'TWILIO',
        address: bought.phoneNumber,
        phoneNumberId: null,
        businessAccountId: null,
        displayName: null,
        ...this.sealCredentials(id, account),
        providerResourceId: bought.providerResourceId,
        rateLimitPerSecond,
      });
      this.log.info({ senderId: sender.id, number: maskAddress(sender.address) }, 'phone number provisioned');
      return sender;
    } catch (error) {
      // Not recorded: give the number back rather than pay for it unseen.
      await this.phoneNumbers.release(bought.providerResourceId).catch((releaseError: unknown) => {
        this.log.error({ err: releaseError, providerResourceId: bought.providerResourceId }, 'could not release a number that was bought but not recorded');
      });
      throw error;
    }
  }

  /** The decrypted credentials of a sender (webhook signature checks, workers); null when none are stored. */
  credentialsOf(sender: SenderRecord): SenderCredentials | null {
    if (!sender.credentialsCiphertext) return null;
    if (!this.cipher) {
      this.log.error({ senderId: sender.id }, 'sender has stored credentials but SENDER_CREDENTIALS_KEY is not configured');
      return null;
    }
    try {
      const parsed = storedCredentialsSchema.safeParse(JSON.parse(this.cipher.decrypt(sender.credentialsCiphertext, sender.id)));
      return parsed.success ? parsed.data : null;
    } catch (error) {
      if (error instanceof CredentialsDecryptError || error instanceof SyntaxError) {
        this.log.error({ senderId: sender.id }, 'sender credentials could not be decrypted');
        return null;
      }
      throw error;
    }
  }

  private async insert(sender: Parameters<MessagingStore['senders']['create']>[0]): Promise<SenderRecord> {
    try {
      const created = await this.store.senders.create(sender);
      this.log.info({ senderId: created.id, kind: created.kind, provider: created.provider }, 'sender created');
      return created;
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw conflict(
          sender.kind === 'EMAIL_ADDRESS' ? 'This email address is already a sender' : 'This number (or WhatsApp phone number id) is already a sender',
          { field: 'address' },
        );
      }
      throw error;
    }
  }

  private seal(senderId: string, provider: SenderProvider, input: CredentialsInput): { credentialsCiphertext: string; credentialsHint: string } {
    const checked = checkCredentials(provider, input);
    if (!checked.ok) throw badUserInput(checked.message, checked.field);
    return this.sealCredentials(senderId, checked.credentials);
  }

  private sealCredentials(senderId: string, credentials: SenderCredentials): { credentialsCiphertext: string; credentialsHint: string } {
    if (!this.cipher) throw new Error('SENDER_CREDENTIALS_KEY is not configured: sender credentials cannot be stored');
    return {
      credentialsCiphertext: this.cipher.encrypt(JSON.stringify(credentials), senderId),
      credentialsHint: credentialsHint(credentials),
    };
  }

  private nameOf(raw: string, field: string): string {
    const name = raw.trim().replace(/\s+/gu, ' ');
    if (name.length === 0 || name.length > 100) throw badUserInput('A sender name is 1 to 100 characters', field);
    return name;
  }

  private addressOf(kind: SenderKind, raw: string): string {
    const result = kind === 'EMAIL_ADDRESS' ? normalizeEmail(raw) : normalizePhone(raw, false);
    if (!result.ok) throw badUserInput(`The address ${result.reason}`, 'address');
    return result.address;
  }

  private optionalNumericId(raw: string | null | undefined, field: string, allowed: boolean): string | null {
    if (raw === null || raw === undefined || raw.trim() === '') return null;
    if (!allowed) throw badUserInput(`${field} is only for WhatsApp numbers`, field);
    const value = raw.trim();
    if (!NUMERIC_ID.test(value)) throw badUserInput(`${field} is the numeric id Meta shows`, field);
    return value;
  }

  private displayNameOf(kind: SenderKind, raw: string | null | undefined): string | null {
    if (raw === null || raw === undefined || raw.trim() === '') return null;
    if (kind !== 'EMAIL_ADDRESS') throw badUserInput('displayName is only for email senders', 'displayName');
    const value = raw.replace(/[\r\n]+/gu, ' ').trim();
    if (value.length > 200) throw badUserInput('displayName is at most 200 characters', 'displayName');
    return value;
  }

  private rateOf(raw: number | null | undefined, fallback: number): number {
    if (raw === null || raw === undefined) return fallback;
    if (!Number.isInteger(raw) || raw < 1 || raw > MAX_RATE) throw badUserInput(`rateLimitPerSecond is a whole number from 1 to ${MAX_RATE}`, 'rateLimitPerSecond');
    return raw;
  }
}
