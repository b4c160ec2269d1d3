/* eslint-disable @typescript-eslint/no-explicit-any -- GraphQL responses are untyped JSON here; tests assert their shape. */
import { randomUUID } from 'node:crypto';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import type { SeededUser, TestSystem } from '@switchboard/testkit';

/**
 * What the messaging e2e tests share: seeding senders and contacts through the API, sending,
 * watching a message's status through the API, and graphql-ws subscribers that record what they
 * receive (with the time it arrived).
 */

export const SENDER_FIELDS = 'id name kind provider address phoneNumberId hasCredentials rateLimitPerSecond';

export const MESSAGE_FIELDS = `id status channel direction to from body subject errorCode errorReason attempts providerMessageId
  contact { id } sender { id } statusHistory { status source at providerCode }`;

export const SEND = `mutation Send($input: SendMessageInput!) { sendMessage(input: $input) { message { ${MESSAGE_FIELDS} } } }`;

export const MESSAGE = `query Message($id: ID!) { message(id: $id) { ${MESSAGE_FIELDS} } }`;

/** A sender registered through the API (`createSender`, ADMIN or up). */
export async function createSender(
  system: TestSystem,
  user: Pick<SeededUser, 'accessToken'>,
  input: Record<string, unknown>,
): Promise<{ id: string; address: string; kind: string }> {
  const result = await system.graphql(`mutation($input: CreateSenderInput!) { createSender(input: $input) { ${SENDER_FIELDS} } }`, { input }, { token: user.accessToken });
  if (result.errors) throw new Error(`createSender failed: ${JSON.stringify(result.errors)}`);
  return result.data.createSender;
}

let numberSequence = 0;

/** A fresh, valid US number (+1 415 555 01xx style, unique per call in this process). */
export function phoneNumber(): string {
  numberSequence += 1;
  const tail = String((Date.now() + numberSequence * 7919) % 10_000).padStart(4, '0');
  const exchange = 200 + ((numberSequence * 37) % 700);
  return `+1415${exchange}${tail}`;
}

/** An SMS number of the organization (its rate limit high enough for tests). */
export function smsSender(system: TestSystem, user: Pick<SeededUser, 'accessToken'>, rateLimitPerSecond = 100) {
  return createSender(system, user, { name: 'Support line', kind: 'SMS_NUMBER', address: phoneNumber(), rateLimitPerSecond });
}

/** The WhatsApp Cloud API number the stand-in serves (one live sender per number across organizations). */
export function whatsappSender(system: TestSystem, user: Pick<SeededUser, 'accessToken'>) {
  return createSender(system, user, {
    name: 'WhatsApp support',
    kind: 'WHATSAPP_NUMBER',
    address: `+${system.standIns.whatsapp.displayPhoneNumber}`,
    phoneNumberId: system.standIns.whatsapp.phoneNumberId,
    businessAccountId: system.standIns.whatsapp.wabaId,
    rateLimitPerSecond: 80,
  });
}

export function emailSender(system: TestSystem, user: Pick<SeededUser, 'accessToken'>) {
  return createSender(system, user, {
    name: 'Support mail',
    kind: 'EMAIL_ADDRESS',
    address: `support-${randomUUID().slice(0, 8)}@acme.example`,
    displayName: 'Acme Support',
    rateLimitPerSecond: 100,
  });
}

/** `sendMessage` as the user; returns the whole response (tests assert refusals too). */
export function sendMessage(system: TestSystem, user: Pick<SeededUser, 'accessToken'>, input: Record<string, unknown>) {
  return system.graphql(SEND, { input }, { token: user.accessToken });
}

/** `sendMessage` that must succeed; returns the message. */
export async function send(system: TestSystem, user: Pick<SeededUser, 'accessToken'>, input: Record<string, unknown>): Promise<any> {
  const result = await sendMessage(system, user, input);
  if (result.errors || !result.data?.sendMessage) throw new Error(`sendMessage failed: ${JSON.stringify(result.errors)}`);
  return result.data.sendMessage.message;
}

export async function getMessage(system: TestSystem, user: Pick<SeededUser, 'accessToken'>, id: string): Promise<any> {
  const result = await system.graphql(MESSAGE, { id }, { token: user.accessToken });
  if (result.errors) throw new Error(`message(id) failed: ${JSON.stringify(result.errors)}`);
  return result.data.message;
}

export const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until `check` returns a value (not undefined/false), or fails naming `what`. */
export async function waitFor<T>(check: () => Promise<T | undefined | false> | T | undefined | false, what: string, timeoutMs = 15_000, everyMs = 50): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value as T;
    } catch (error) {
      last = error;
    }
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}${last ? ` (last error: ${String(last)})` : ''}`);
    await pause(everyMs);
  }
}

/** Waits until the message (read through the API) has `status`, and returns it. */
export function waitForStatus(system: TestSystem, user: Pick<SeededUser, 'accessToken'>, id: string, status: string, timeoutMs = 15_000): Promise<any> {
  return waitFor(
    async () => {
      const message = await getMessage(system, user, id);
      return message?.status === status ? message : undefined;
    },
    `message ${id} to be ${status}`,
    timeoutMs,
  );
}

/** The statuses of a message's history, oldest first. */
export const historyOf = (message: { statusHistory: { status: string }[] }) => message.statusHistory.map((entry) => entry.status);

export interface Recorded {
  value: any;
  at: number;
}

export interface Subscriber {
  client: Client;
  events: Recorded[];
  errors: unknown[];
  /** Waits until `count` events arrived (or fails after `ms`). */
  waitForCount(count: number, ms?: number): Promise<Recorded[]>;
  /** Waits for an event matching `predicate`. */
  waitFor(predicate: (value: any) => boolean, ms?: number): Promise<Recorded>;
  dispose(): Promise<void>;
}

/**
 * A graphql-ws client subscribed with `query`. Resolves once the gateway listens for it (its
 * Kafka event source counts one more subscription started on the topic): events published
 * afterwards reach it. Create subscribers one at a time (awaiting each).
 */
export async function subscribe(system: TestSystem, token: string, query: string, variables?: Record<string, unknown>): Promise<Subscriber> {
  const topic = /messageStatusChanged/u.test(query) ? 'message.status_changed' : /messageReceived/u.test(query) ? 'message.received' : undefined;
  const startedBefore = topic ? (system.running.gateway?.kafkaSubscriptions(topic).started ?? 0) : 0;
  const events: Recorded[] = [];
  const errors: unknown[] = [];
  const listeners = new Set<() => void>();
  const client = createClient({
    url: system.wsUrl,
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    lazy: false,
    connectionParams: { authorization: `Bearer ${token}` },
  });
  await new Promise<void>((resolve, reject) => {
    const off = client.on('connected', () => {
      off();
      resolve();
    });
    const offClosed = client.on('closed', (event) => {
      offClosed();
      reject(new Error(`the subscription socket closed: ${JSON.stringify(event)}`));
    });
  });
  client.subscribe(
    { query, ...(variables ? { variables } : {}) },
    {
      next: (value) => {
        events.push({ value, at: Date.now() });
        for (const listener of [...listeners]) listener();
      },
      error: (error) => {
        errors.push(error);
        for (const listener of [...listeners]) listener();
      },
      complete: () => undefined,
    },
  );
  // The subscribe message is handled asynchronously by the gateway (parse, validate, join the
  // event stream): wait until the gateway listens for this subscriber, so no event is missed.
  if (topic && system.running.gateway) {
    const gateway = system.running.gateway;
    await waitFor(() => gateway.kafkaSubscriptions(topic).started > startedBefore || errors.length > 0, `the gateway to listen on ${topic}`, 10_000, 10);
    if (errors.length > 0) throw new Error(`subscription refused: ${JSON.stringify(errors)}`);
  } else {
    await pause(150);
  }
  const waitUntil = <T>(check: () => T | undefined, ms: number, what: string): Promise<T> =>
    new Promise((resolve, reject) => {
      const attempt = () => {
        if (errors.length > 0) {
          cleanup();
          reject(new Error(`subscription error: ${JSON.stringify(errors)}`));
          return;
        }
        const found = check();
        if (found !== undefined) {
          cleanup();
          resolve(found);
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`timed out after ${ms} ms waiting for ${what}; got ${JSON.stringify(events.map((e) => e.value))}`));
      }, ms);
      const cleanup = () => {
        clearTimeout(timer);
        listeners.delete(attempt);
      };
      listeners.add(attempt);
      attempt();
    });
  return {
    client,
    events,
    errors,
    waitForCount: (count, ms = 15_000) => waitUntil(() => (events.length >= count ? events.slice(0, count) : undefined), ms, `${count} events`),
    waitFor: (predicate, ms = 15_000) => waitUntil(() => events.find((event) => predicate(event.value)), ms, 'a matching event'),
    dispose: () => client.dispose() as Promise<void>,
  };
}

export const STATUS_SUBSCRIPTION = `subscription($messageId: ID, $conversationId: ID, $contactId: ID) {
  messageStatusChanged(messageId: $messageId, conversationId: $conversationId, contactId: $contactId) {
    messageId status previousStatus channel occurredAt errorCode
    message { id status to contact { id } }
  }
}`;

export const RECEIVED_SUBSCRIPTION = `subscription($senderId: ID) {
  messageReceived(senderId: $senderId) { messageId channel senderId contactId receivedAt message { id direction from to body status } }
}`;

/** Statuses a subscriber saw, in arrival order. */
export const statusesSeen = (subscriber: Subscriber, messageId?: string) =>
  subscriber.events
    .map((event) => event.value?.data?.messageStatusChanged)
    .filter((change) => change && (!messageId || change.messageId === messageId))
    .map((change) => change.status as string);
