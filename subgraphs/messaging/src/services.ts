import type { SubgraphDeps } from '@switchboard/subgraph-kit';
import type { MessagingServices } from './context';
import { CredentialsCipher } from '@switchboard/crypto';
import { InboundService } from './domain/inbound-service';
import { MessageQueryService } from './domain/message-query-service';
import { ProjectionService } from './domain/projection-service';
import { SendService } from './domain/send-service';
import { SenderService } from './domain/sender-service';
import { StatusService } from './domain/status-service';
import { TwilioPhoneNumbers, type PhoneNumberProvider } from './providers/phone-numbers';
import { MessagingStore } from './store';

export interface MessagingOptions {
  /**
   * SENDER_CREDENTIALS_KEY: 32 bytes as 64 hex digits or base64. Default:
   * `deps.settings.senderCredentialsKey`. Without one, senders can be created only without
   * credentials (and webhooks fall back to the account token).
   */
  senderCredentialsKey?: string;
  /**
   * Public base URL under which providers reach this server's webhooks (`https://api.example.com`:
   * Twilio signs the full URL it calls). Default: `deps.settings.publicUrl`.
   */
  webhookPublicUrl?: string;
  /**
   * The platform's Twilio account: buys numbers (provisionPhoneNumber) and signs webhooks of
   * numbers without their own credentials. `apiBaseUrl` points the SDK at a stand-in.
   */
  twilio?: { accountSid: string; authToken: string; apiBaseUrl?: string } | null;
  /** The WhatsApp app: its secret signs webhooks; the verify token answers the subscription handshake. */
  whatsapp?: { appSecret: string; verifyToken: string } | null;
  /** Another phone-number provider than Twilio (for other deployments). */
  phoneNumbers?: PhoneNumberProvider | null;
  /** The clock (WhatsApp window); tests only. */
  now?: () => Date;
}

export interface MessagingRuntime {
  store: MessagingStore;
  services: MessagingServices;
  webhookPublicUrl: string;
}

/** The services of the messaging subgraph and its consumers, over one store. */
export function createMessagingRuntime(deps: SubgraphDeps, options: MessagingOptions = {}): MessagingRuntime {
  const log = deps.log.child({ subgraph: 'messaging' });
  const store = MessagingStore.create(deps.prisma);
  const key = options.senderCredentialsKey ?? deps.settings.senderCredentialsKey;
  const cipher = key ? new CredentialsCipher(key) : null;
  if (!cipher) log.warn('SENDER_CREDENTIALS_KEY is not set: senders cannot store provider credentials');
  const webhookPublicUrl = (options.webhookPublicUrl ?? deps.settings.publicUrl).replace(/\/+$/u, '');
  const phoneNumbers = options.phoneNumbers ?? (options.twilio ? new TwilioPhoneNumbers(options.twilio) : null);
  const now = options.now ?? (() => new Date());
  const services: MessagingServices = {
    sending: new SendService(store, log.child({ component: 'send' }), now),
    senders: new SenderService(store, cipher, phoneNumbers, webhookPublicUrl, log.child({ component: 'senders' })),
    messages: new MessageQueryService(store),
    statuses: new StatusService(store, log.child({ component: 'status' })),
    inbound: new InboundService(store, log.child({ component: 'inbound' }), now),
    projections: new ProjectionService(store, log.child({ component: 'projections' })),
  };
  return { store, services, webhookPublicUrl };
}
