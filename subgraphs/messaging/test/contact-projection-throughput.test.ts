import { randomUUID } from 'node:crypto';
import { encodeEvent, type SwitchboardEvent } from '@switchboard/events';
import { ensureTopics, sendEvents } from '@switchboard/kafka';
import { contactEvent, startMessagingKafka, startMessagingSubgraph, type MessagingHarness, type MessagingKafka } from './harness';

/*
 * A contact import as messaging sees it: one `contact.changed` per row, published by the contact
 * subgraph, applied by messaging's contact consumer. `CONTACT_IMPORT_EVENTS=20000` measures the
 * full figure (printed as events/s); the default keeps the run short and checks only that the
 * import lands completely and correctly.
 */
const EVENTS = Number(process.env.CONTACT_IMPORT_EVENTS ?? 3_000);

let h: MessagingHarness;
let bus: MessagingKafka;

beforeAll(async () => {
  h = await startMessagingSubgraph();
  bus = await startMessagingKafka(h, 'messaging-import-test');
  const admin = bus.kafka.admin();
  await admin.connect();
  await ensureTopics(admin, ['contact.changed'], 2);
  await admin.disconnect();
}, 60_000);

afterAll(async () => {
  await bus?.close();
  await h?.close();
});

it(
  `a ${EVENTS}-row contact import becomes messageable, with later edits, a stale replay and a deletion applied as events would`,
  async () => {
    const org = h.organization();
    // An hour ago: the deletion (stamped now) is the newest state.
    const base = Date.now() - 3_600_000;
    const rows = Array.from({ length: EVENTS }, (_, i) =>
      contactEvent(org.id, { id: randomUUID(), name: `Contact ${i}`, phone: `+4479${String(i).padStart(8, '0')}`, updatedAt: new Date(base).toISOString() }),
    );
    // Edits of the first contact after the import, in order: a rename, then a stale replay of the
    // import row, then a deletion; and an opt-out of the second.
    const first = rows[0]!.payload.contactId;
    const second = rows[1]!.payload.contactId;
    const renamed = contactEvent(org.id, { id: first, name: 'Renamed', phone: '+447900000000', updatedAt: new Date(base + 60_000).toISOString() }, 'UPDATED');
    const optOut = contactEvent(org.id, { id: second, name: 'Contact 1', phone: '+447900000001', consent: { email: 'UNKNOWN', sms: 'OPTED_OUT', whatsapp: 'UNKNOWN' }, updatedAt: new Date(base + 60_000).toISOString() }, 'UPDATED');
    const deleted = contactEvent(org.id, { id: first }, 'DELETED');
    const events: SwitchboardEvent[] = [...rows, renamed, rows[0]!, optOut, deleted];

    // The whole import is on the topic before the consumers start: the figure is the consumer's.
    const producing = Date.now();
    for (let i = 0; i < events.length; i += 1_000) {
      await sendEvents(bus.producer, events.slice(i, i + 1_000).map((event) => encodeEvent(event)));
    }
    const produceMs = Date.now() - producing;
    const started = Date.now();
    await bus.startConsumers();
    const deadline = started + Math.max(60_000, EVENTS * 15);
    for (;;) {
      const [count, last] = await Promise.all([
        h.prisma.messagingContactProjection.count({ where: { organizationId: org.id } }),
        h.prisma.messagingContactProjection.findUnique({ where: { id: first } }),
      ]);
      if (count === EVENTS && last?.lastEventId === deleted.id) break;
      if (Date.now() > deadline) throw new Error(`only ${count} of ${EVENTS} contacts applied in ${Date.now() - started} ms`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const applied = Date.now();
    const seconds = (applied - started) / 1000;
    process.stdout.write(
      `contact import: ${events.length} contact.changed events produced in ${produceMs} ms; consumers started and all applied in ` +
        `${applied - started} ms (${Math.round(events.length / seconds)} events/s)\n`,
    );

    const firstRow = await h.prisma.messagingContactProjection.findUniqueOrThrow({ where: { id: first } });
    expect(firstRow).toMatchObject({ name: 'Renamed', phone: '+447900000000', deleted: true, lastEventId: deleted.id });
    expect(firstRow.sourceUpdatedAt.toISOString()).toBe(deleted.occurredAt);
    expect(await h.prisma.messagingContactProjection.findUniqueOrThrow({ where: { id: second } })).toMatchObject({ smsConsent: 'OPTED_OUT', lastEventId: optOut.id });
    const sample = rows[EVENTS - 1]!;
    expect(await h.prisma.messagingContactProjection.findUniqueOrThrow({ where: { id: sample.payload.contactId } })).toMatchObject({
      organizationId: org.id,
      name: `Contact ${EVENTS - 1}`,
      phone: sample.payload.contact!.phone,
      email: 'casey@example.org',
      deleted: false,
      lastEventId: sample.id,
    });
    expect(await h.prisma.messagingContactProjection.count({ where: { organizationId: org.id, deleted: false } })).toBe(EVENTS - 1);
  },
  Math.max(120_000, EVENTS * 20),
);
