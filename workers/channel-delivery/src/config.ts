import { env, loadConfig } from '@switchboard/config';
import { z } from 'zod';
import type { ChannelWorkersConfig } from './channel-workers';
import { CHANNEL_NAMES, type ChannelName } from './delivery/channels';
import { parseCredentialsKey } from './senders/credentials';

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);
const positiveNumber = (fallback: number) => z.coerce.number().positive().default(fallback);
const httpUrl = env.url(['http:', 'https:']);

/** `name:language=HX…,name2=HX…` → { 'name:language': 'HX…', name2: 'HX…' }. */
const contentSids = z
  .string()
  .optional()
  .transform((value, ctx) => {
    const map: Record<string, string> = {};
    for (const pair of (value ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
      const at = pair.lastIndexOf('=');
      const sid = pair.slice(at + 1).trim();
      if (at <= 0 || !/^HX[0-9a-fA-F]{32}$/u.test(sid)) {
        ctx.addIssue({ code: 'custom', message: 'must be a comma list of <template>[:<language>]=HX<32 hex>' });
        return z.NEVER;
      }
      map[pair.slice(0, at).trim()] = sid;
    }
    return map;
  });

const schema = z
  .object({
    NODE_ENV: env.nodeEnv,
    LOG_LEVEL: env.logLevel,
    /** The cluster to consume from and publish to (default 127.0.0.1:9092, `npm run broker`). */
    KAFKA_BROKERS: env.kafkaBrokers,
    REDIS_URL: env.redisUrl,
    /** Same prefix as the other processes of the deployment (the launcher uses `sb:`). */
    REDIS_KEY_PREFIX: z.string().regex(/^[A-Za-z0-9:_.-]*$/u, 'letters, digits and : _ . - only').default('sb:'),
    /** Channels this process delivers: a comma list of email, sms, whatsapp. */
    CHANNELS: z
      .string()
      .default('email,sms,whatsapp')
      .transform((value, ctx) => {
        const names = [...new Set(value.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean))];
        const unknown = names.filter((name) => !(name in CHANNEL_NAMES));
        if (names.length === 0 || unknown.length > 0) {
          ctx.addIssue({ code: 'custom', message: 'must be a comma list of email, sms, whatsapp' });
          return z.NEVER;
        }
        return names as ChannelName[];
      }),
    /**
     * Where senders' accounts come from: `database` reads messaging's sender table (provider,
     * rate limit, credentials decrypted with SENDER_CREDENTIALS_KEY; senders without credentials
     * use the account below); `config` uses one account per provider for every sender.
     */
    SENDER_SOURCE: z.enum(['database', 'config']).default('config'),
    DATABASE_URL: env.databaseUrl,
    SENDER_CREDENTIALS_KEY: z.string().optional(),
    /** One account per provider (SMTP_URL, TWILIO_*, WHATSAPP_TOKEN). */
    SMTP_URL: env.url(['smtp:', 'smtps:']).optional(),
    SMTP_MESSAGE_ID_DOMAIN: z.string().min(1).default('switchboard'),
    TWILIO_ACCOUNT_SID: z.string().regex(/^AC[0-9a-fA-F]{32}$/u, 'must be AC followed by 32 hex digits').optional(),
    TWILIO_AUTH_TOKEN: z.string().min(1).optional(),
    /** Twilio's REST API origin; a stand-in's URL in development. */
    TWILIO_API_URL: httpUrl.default('https://api.twilio.com'),
    /** Messaging's public Twilio status webhook, sent as StatusCallback with every message. */
    TWILIO_STATUS_CALLBACK_URL: httpUrl.optional(),
    /** Twilio WhatsApp templates: `<template>[:<language>]=HX…` pairs. */
    TWILIO_CONTENT_SIDS: contentSids,
    /** Which account sends WhatsApp: meta-cloud (WHATSAPP_TOKEN) or twilio. Default: meta-cloud when WHATSAPP_TOKEN is set. */
    WHATSAPP_PROVIDER: z.enum(['meta-cloud', 'twilio']).optional(),
    WHATSAPP_TOKEN: z.string().min(1).optional(),
    /** Graph API origin; a stand-in's URL in development. */
    WHATSAPP_API_URL: httpUrl.default('https://graph.facebook.com'),
    WHATSAPP_API_VERSION: z.string().regex(/^v\d+\.\d+$/u, 'like v23.0').default('v23.0'),
    PROVIDER_TIMEOUT_MS: positiveInt(10_000),
    DELIVERY_MAX_ATTEMPTS: positiveInt(5),
    DELIVERY_BACKOFF_BASE_MS: positiveInt(200),
    DELIVERY_BACKOFF_CAP_MS: positiveInt(30_000),
    /** How long a delivery outcome is remembered against redeliveries (default 30 days). */
    DELIVERY_RECORD_TTL_SECONDS: positiveInt(30 * 24 * 3600),
    /** Per-sender rate limits when accounts come from configuration. */
    RATE_LIMIT_EMAIL_PER_SECOND: positiveNumber(10),
    RATE_LIMIT_SMS_PER_SECOND: positiveNumber(10),
    RATE_LIMIT_WHATSAPP_PER_SECOND: positiveNumber(80),
    /** Token bucket capacity (1: evenly spaced sends). */
    RATE_LIMIT_BURST: positiveInt(1),
    /** Share of each rate held back so provider-side jitter never shows more than the rate in a second. */
    RATE_LIMIT_HEADROOM: z.coerce.number().min(0).max(0.49).default(0.05),
    PUBLISH_SENDING_STATUS: env.boolean.default(true),
    /** Partitions of a channel topic handled at the same time. */
    CONSUMER_CONCURRENCY: positiveInt(1),
  })
  .superRefine((raw, ctx) => {
    if (Boolean(raw.TWILIO_ACCOUNT_SID) !== Boolean(raw.TWILIO_AUTH_TOKEN)) {
      ctx.addIssue({ code: 'custom', path: ['TWILIO_AUTH_TOKEN'], message: 'TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN go together' });
    }
    if (raw.SENDER_SOURCE === 'database') {
      try {
        parseCredentialsKey(raw.SENDER_CREDENTIALS_KEY ?? '');
      } catch {
        ctx.addIssue({ code: 'custom', path: ['SENDER_CREDENTIALS_KEY'], message: 'needed with SENDER_SOURCE=database: 32 bytes as 64 hex digits or base64' });
      }
      return;
    }
    const twilio = Boolean(raw.TWILIO_ACCOUNT_SID && raw.TWILIO_AUTH_TOKEN);
    const has = {
      email: Boolean(raw.SMTP_URL),
      sms: twilio,
      whatsapp: (raw.WHATSAPP_PROVIDER ?? (raw.WHATSAPP_TOKEN ? 'meta-cloud' : 'twilio')) === 'meta-cloud' ? Boolean(raw.WHATSAPP_TOKEN) : twilio,
    };
    const needs = { email: 'SMTP_URL', sms: 'TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN', whatsapp: 'WHATSAPP_TOKEN (or WHATSAPP_PROVIDER=twilio with TWILIO_*)' };
    for (const name of raw.CHANNELS) {
      if (!has[name]) ctx.addIssue({ code: 'custom', path: ['CHANNELS'], message: `${name} needs ${needs[name]} (or leave it out of CHANNELS)` });
    }
  })
  .transform((raw) => {
    const timeoutMs = raw.PROVIDER_TIMEOUT_MS;
    const workers: ChannelWorkersConfig = {
      accounts: {
        ...(raw.SMTP_URL ? { smtp: { url: raw.SMTP_URL, messageIdDomain: raw.SMTP_MESSAGE_ID_DOMAIN, timeoutMs } } : {}),
        twilio: {
          ...(raw.TWILIO_ACCOUNT_SID && raw.TWILIO_AUTH_TOKEN ? { accountSid: raw.TWILIO_ACCOUNT_SID, authToken: raw.TWILIO_AUTH_TOKEN } : {}),
          apiBaseUrl: raw.TWILIO_API_URL,
          statusCallbackUrl: raw.TWILIO_STATUS_CALLBACK_URL ?? null,
          contentSids: raw.TWILIO_CONTENT_SIDS,
          timeoutMs,
        },
        metaCloud: {
          ...(raw.WHATSAPP_TOKEN ? { accessToken: raw.WHATSAPP_TOKEN } : {}),
          apiBaseUrl: raw.WHATSAPP_API_URL,
          apiVersion: raw.WHATSAPP_API_VERSION,
          timeoutMs,
        },
        ...(raw.WHATSAPP_PROVIDER ? { whatsappVendor: raw.WHATSAPP_PROVIDER } : {}),
      },
      ...(raw.SENDER_SOURCE === 'database' ? { senderCredentialsKey: raw.SENDER_CREDENTIALS_KEY } : {}),
      rateLimitPerSecond: { EMAIL: raw.RATE_LIMIT_EMAIL_PER_SECOND, SMS: raw.RATE_LIMIT_SMS_PER_SECOND, WHATSAPP: raw.RATE_LIMIT_WHATSAPP_PER_SECOND },
      rateLimitBurst: raw.RATE_LIMIT_BURST,
      rateLimitHeadroom: raw.RATE_LIMIT_HEADROOM,
      retry: { maxAttempts: raw.DELIVERY_MAX_ATTEMPTS, baseMs: raw.DELIVERY_BACKOFF_BASE_MS, capMs: raw.DELIVERY_BACKOFF_CAP_MS },
      deliveryRecordTtlSeconds: raw.DELIVERY_RECORD_TTL_SECONDS,
      publishSending: raw.PUBLISH_SENDING_STATUS,
      concurrency: raw.CONSUMER_CONCURRENCY,
    };
    return {
      nodeEnv: raw.NODE_ENV,
      logLevel: raw.LOG_LEVEL,
      kafkaBrokers: raw.KAFKA_BROKERS ?? ['127.0.0.1:9092'],
      redisUrl: raw.REDIS_URL,
      redisKeyPrefix: raw.REDIS_KEY_PREFIX,
      channels: raw.CHANNELS,
      /** Set when senders come from messaging's table. */
      databaseUrl: raw.SENDER_SOURCE === 'database' ? raw.DATABASE_URL : undefined,
      workers,
    };
  });

export type DeliveryProcessConfig = z.infer<typeof schema>;

/** Parses the environment once (throws ConfigError listing every problem). */
export function loadDeliveryConfig(source: Record<string, string | undefined> = process.env): DeliveryProcessConfig {
  return loadConfig(schema, source);
}
