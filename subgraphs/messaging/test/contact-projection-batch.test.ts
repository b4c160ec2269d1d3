import { randomUUID } from 'node:crypto';
import type { EventOfType } from '@switchboard/events';
import { contactEvent, useMessagingSubgraph } from './harness';

/*
 * The contact consumer applies `contact.changed` in batches with bulk SQL. These tests hold it to
 * the one-event-at-a-time path (`applyContactChanged`, the rules of `planContactUpsert`): the same
 * events — replays, stale states, tombstones, keywords received here, another organization's id —
 * must leave the same rows either way.
 */

const harness = useMessagingSubgraph();

type ContactEvent = EventOfType<'contact.changed'>;
const CONSENTS = ['OPTED_IN', 'OPTED_OUT', 'UNKNOWN'] as const;
const BASE = Date.now() - 24 * 3600_000;
/** Events are written for this id, then given each copy's id (`forContact`). */
const PLACEHOLDER = randomUUID();
const minute = (n: number) => new Date(BASE + n * 60_000);

/** A small deterministic PRNG (mulberry32), so a failure can be replayed. */
function prng(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function stateEvent(org: string, id: string, at: number, version: number | null, name: string, consent: (typeof CONSENTS)[number], change: 'CREATED' | 'UPDATED' | 'DELETED' = 'UPDATED'): ContactEvent {
  const event = contactEvent(org, { id, name, phone: '+447911000001', email: `${name}@Example.org`, consent: { email: consent, sms: consent, whatsapp: 'UNKNOWN' }, updatedAt: minute(at).toISOString() });
  return { ...event, payload: { ...event.payload, change, version } };
}

function tombstone(org: string, id: string, at: number, version: number | null): ContactEvent {
  const event = contactEvent(org, { id }, 'DELETED');
  return { ...event, occurredAt: minute(at).toISOString(), payload: { ...event.payload, version } };
}

/** The same event for the copy of a contact (another id), so both paths can run side by side. */
const forContact = (event: ContactEvent, id: string): ContactEvent => ({ ...event, payload: { ...event.payload, contactId: id } });

async function rowOf(id: string) {
  const row = await harness().prisma.messagingContactProjection.findUnique({ where: { id } });
  if (!row) return null;
  const { id: _id, updatedAt: _updatedAt, ...rest } = row;
  return rest;
}

it('a batch leaves the row as its events one at a time would: later edits, a stale replay, a keyword, a deletion', async () => {
  const projections = harness().runtime.services.projections;
  const org = randomUUID();
  const [one, batch] = [randomUUID(), randomUUID()];
  const seeded = stateEvent(org, PLACEHOLDER, 0, 1, 'casey', 'OPTED_IN', 'CREATED');
  await projections.applyContactChanged(forContact(seeded, one));
  await projections.applyContactChanged(forContact(seeded, batch));
  // A STOP received here at minute 3, on both copies.
  for (const id of [one, batch]) {
    await harness().prisma.messagingContactProjection.update({ where: { id }, data: { smsConsent: 'OPTED_OUT', smsConsentAt: minute(3) } });
  }
  const events = [
    stateEvent(org, PLACEHOLDER, 2, 2, 'casey b', 'OPTED_IN'),
    stateEvent(org, PLACEHOLDER, 1, null, 'stale', 'OPTED_IN'),
    stateEvent(org, PLACEHOLDER, 4, 3, 'casey c', 'UNKNOWN'),
    tombstone(org, PLACEHOLDER, 5, 4),
    stateEvent(randomUUID(), PLACEHOLDER, 9, 9, 'intruder', 'OPTED_IN'),
  ];
  for (const event of events) await projections.applyContactChanged(forContact(event, one));
  const outcome = await projections.applyContactChanges(events.map((event) => forContact(event, batch)));

  expect(await rowOf(batch)).toEqual(await rowOf(one));
  expect(await rowOf(batch)).toMatchObject({
    organizationId: org,
    name: 'casey c',
    email: 'casey c@example.org',
    deleted: true,
    smsConsent: 'UNKNOWN',
    emailConsent: 'UNKNOWN',
    sourceUpdatedAt: minute(5),
    lastEventId: events[3]!.id,
  });
  // The state, then the tombstone (a second round); the other organization's change writes nothing.
  expect(outcome).toEqual({ events: 5, rowsWritten: 2, statements: 3, messagesLinked: 0 });
});

it('random sequences of changes, in random batches, end as one event at a time would', async () => {
  const random = prng(20261121);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const projections = harness().runtime.services.projections;
  const org = randomUUID();
  const contacts = Array.from({ length: 60 }, () => ({ one: randomUUID(), batch: randomUUID() }));

  for (let round = 0; round < 3; round++) {
    // Some contacts exist already, some with a keyword received here.
    const events: { contact: (typeof contacts)[number]; event: ContactEvent }[] = [];
    for (const contact of contacts) {
      const count = Math.floor(random() * 5);
      for (let i = 0; i < count; i++) {
        const at = round * 10 + Math.floor(random() * 12);
        const version = random() < 0.8 ? at + 1 : null;
        const kind = random();
        const event =
          kind < 0.2
            ? tombstone(org, PLACEHOLDER, at, version)
            : kind < 0.25
              ? stateEvent(randomUUID(), PLACEHOLDER, at, version, 'intruder', 'OPTED_IN')
              : stateEvent(org, PLACEHOLDER, at, version, `c${Math.floor(random() * 1000)}`, pick(CONSENTS), random() < 0.1 ? 'DELETED' : 'UPDATED');
        events.push({ contact, event });
      }
    }
    // Partition order interleaves contacts; each contact's events keep their (shuffled) order.
    for (let i = events.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [events[i], events[j]] = [events[j]!, events[i]!];
    }
    for (const { contact, event } of events) await projections.applyContactChanged(forContact(event, contact.one));
    for (let start = 0; start < events.length; ) {
      const size = 1 + Math.floor(random() * 40);
      await projections.applyContactChanges(events.slice(start, start + size).map(({ contact, event }) => forContact(event, contact.batch)));
      start += size;
    }
    for (const contact of contacts) {
      if (random() < 0.3 && (await rowOf(contact.one))) {
        const at = minute(round * 10 + Math.floor(random() * 25));
        const status = pick(CONSENTS);
        for (const id of [contact.one, contact.batch]) {
          await harness().prisma.messagingContactProjection.update({ where: { id }, data: { smsConsent: status, smsConsentAt: at } });
        }
      }
    }
  }

  let rows = 0;
  for (const contact of contacts) {
    const expected = await rowOf(contact.one);
    expect({ contact: contact.batch, row: await rowOf(contact.batch) }).toEqual({ contact: contact.batch, row: expected });
    if (expected) rows += 1;
  }
  expect(rows).toBeGreaterThan(30);
});
