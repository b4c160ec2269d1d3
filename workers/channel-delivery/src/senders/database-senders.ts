import type { Prisma, PrismaClient } from '@switchboard/db';
import type { Channel } from '@switchboard/events';
import { metaCloudAccount, twilioAccount, type ConfiguredAccounts } from './config-senders';
import { decryptCredentials, parseCredentialsKey, UnreadableCredentials, type StoredCredentials } from './credentials';
import { SenderUnavailable, type ProviderAccount, type ResolvedSender, type SenderDirectory } from './sender-directory';

export interface DatabaseSenderDirectoryOptions {
  /** Read-only use of `messaging.sender` (the worker is part of messaging's delivery pipeline). */
  prisma: PrismaClient;
  /** SENDER_CREDENTIALS_KEY, as the messaging subgraph uses it. */
  credentialsKey: string;
  /**
   * Deployment-wide settings of each provider (API base URLs, status callback, timeouts, SMTP
   * server), and the account used by senders stored without credentials of their own.
   */
  accounts?: ConfiguredAccounts;
  /** How long a sender lookup is reused (default 30 s: rotated credentials apply within it). */
  cacheTtlMs?: number;
}

const KIND_OF_CHANNEL: Record<Channel, string> = { EMAIL: 'EMAIL_ADDRESS', SMS: 'SMS_NUMBER', WHATSAPP: 'WHATSAPP_NUMBER' };

/** The columns the worker reads. */
const SENDER_COLUMNS = {
  id: true,
  organizationId: true,
  kind: true,
  provider: true,
  address: true,
  credentialsCiphertext: true,
  rateLimitPerSecond: true,
  deletedAt: true,
  updatedAt: true,
} as const satisfies Prisma.SenderSelect;

type SenderRow = Prisma.SenderGetPayload<{ select: typeof SENDER_COLUMNS }>;

/** The SMTP server of the deployment with a sender's own login. */
function withLogin(url: string, username: string, password: string): string {
  const parsed = new URL(url);
  parsed.username = encodeURIComponent(username);
  parsed.password = encodeURIComponent(password);
  return parsed.toString();
}

function accountOf(row: SenderRow, stored: StoredCredentials | null, accounts: ConfiguredAccounts): ProviderAccount {
  const missing = () => new SenderUnavailable('SENDER_CREDENTIALS_MISSING', `the ${row.provider} sender has no credentials and the worker has no ${row.provider} account`);
  switch (row.provider) {
    case 'TWILIO': {
      if (stored?.provider === 'TWILIO') {
        return { vendor: 'twilio', twilio: { ...accounts.twilio, accountSid: stored.accountSid, authToken: stored.authToken } };
      }
      const twilio = twilioAccount(accounts);
      if (!twilio) throw missing();
      return { vendor: 'twilio', twilio };
    }
    case 'META_WHATSAPP': {
      if (stored?.provider === 'META_WHATSAPP') return { vendor: 'meta-cloud', metaCloud: { ...accounts.metaCloud, accessToken: stored.accessToken } };
      const metaCloud = metaCloudAccount(accounts);
      if (!metaCloud) throw missing();
      return { vendor: 'meta-cloud', metaCloud };
    }
    case 'SMTP': {
      if (!accounts.smtp) throw new SenderUnavailable('SENDER_MISCONFIGURED', 'the worker has no SMTP server configured');
      if (stored?.provider === 'SMTP') return { vendor: 'smtp', smtp: { ...accounts.smtp, url: withLogin(accounts.smtp.url, stored.username, stored.password) } };
      return { vendor: 'smtp', smtp: accounts.smtp };
    }
    default:
      throw new SenderUnavailable('SENDER_MISCONFIGURED', `unknown sender provider ${row.provider}`);
  }
}

/**
 * Senders from messaging's `messaging.sender` table: provider, rate limit, address, and the
 * credentials decrypted with SENDER_CREDENTIALS_KEY (or the configured account when the row has
 * none). A sender that is unknown, deleted, of another organization or another channel, or whose
 * credentials do not decrypt, makes the message fail; a database error is thrown (retried).
 */
export function createDatabaseSenderDirectory(options: DatabaseSenderDirectoryOptions): SenderDirectory {
  const key = parseCredentialsKey(options.credentialsKey);
  const accounts = options.accounts ?? {};
  const ttlMs = options.cacheTtlMs ?? 30_000;
  const cache = new Map<string, { row: SenderRow | null; until: number }>();

  async function load(senderId: string): Promise<SenderRow | null> {
    const cached = cache.get(senderId);
    if (cached && cached.until > Date.now()) return cached.row;
    const row = await options.prisma.sender.findUnique({ where: { id: senderId }, select: SENDER_COLUMNS });
    cache.set(senderId, { row, until: Date.now() + ttlMs });
    if (cache.size > 10_000) cache.delete(cache.keys().next().value!);
    return row;
  }

  return {
    async resolve(channel, senderId, organizationId) {
      const row = await load(senderId);
      if (!row || (organizationId !== undefined && organizationId !== null && row.organizationId !== organizationId)) {
        throw new SenderUnavailable('SENDER_NOT_FOUND', 'the sender does not exist');
      }
      if (row.deletedAt) throw new SenderUnavailable('SENDER_DELETED', 'the sender was deleted');
      if (row.kind !== KIND_OF_CHANNEL[channel]) throw new SenderUnavailable('SENDER_WRONG_CHANNEL', `the sender cannot send ${channel} messages`);
      let stored: StoredCredentials | null = null;
      if (row.credentialsCiphertext) {
        try {
          stored = decryptCredentials(key, row.credentialsCiphertext, row.id);
        } catch (error) {
          if (error instanceof UnreadableCredentials) throw new SenderUnavailable('SENDER_CREDENTIALS_UNREADABLE', error.message);
          throw error;
        }
      }
      const account = accountOf(row, stored, accounts);
      const sender: ResolvedSender = {
        senderId: row.id,
        rateLimitPerSecond: row.rateLimitPerSecond,
        address: row.address,
        account,
        accountKey: stored ? `sender:${row.id}` : `config:${account.vendor}`,
        accountVersion: stored ? row.updatedAt.toISOString() : 'config',
      };
      return sender;
    },
    close: async () => {
      cache.clear();
    },
  };
}
