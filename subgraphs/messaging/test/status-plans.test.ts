import { sqlPoolOf } from '@switchboard/db';
import { explainNodes } from '@switchboard/testkit';
import { LOAD_STATUSES } from '../src/store/status-store';
import { CREATE_SENDER, useMessagingSubgraph } from './harness';

/*
 * Status reports are applied a batch at a time: one statement reads the batch's messages by id.
 * On a table of a few thousand messages, planned with PostgreSQL's default random_page_cost (4,
 * spinning disks), that read scanned the whole table for a batch of 40 ids; the sessions Switchboard
 * opens plan for SSD or memory (@switchboard/db, random_page_cost 1.1) and read the primary key.
 */

jest.setTimeout(60_000);

const harness = useMessagingSubgraph();

it('a status batch reads its messages through the primary key, not the whole table', async () => {
  const h = harness();
  const org = h.organization();
  const created = await h.graphql(CREATE_SENDER, { input: { name: 'SMS', kind: 'SMS_NUMBER', address: '+14155550177' } }, org.admin);
  const senderId = created.data!.createSender.id as string;
  const pool = sqlPoolOf(h.prisma);
  const { rows } = await pool.query<{ id: string }>(
    `INSERT INTO "messaging"."message" (id, organization_id, direction, channel, sender_id, from_address, to_address, counterpart_address, body, status, updated_at)
     SELECT gen_random_uuid(), $1, 'OUTBOUND', 'SMS', $2, '+14155550177', '+1415555' || lpad(n::text, 4, '0'), '+1415555' || lpad(n::text, 4, '0'), 'hello', 'SENT', now()
       FROM generate_series(1, 3000) AS n
     RETURNING id`,
    [org.id, senderId],
  );
  const batch = rows.filter((_, index) => index % 75 === 0).map((row) => row.id);
  expect(batch).toHaveLength(40);

  const nodes = await explainNodes(pool, LOAD_STATUSES, [batch, []]);
  expect(nodes.filter((node) => node['Node Type'] === 'Seq Scan')).toEqual([]);
  expect(nodes.some((node) => node['Index Name'] === 'message_pkey')).toBe(true);
  expect(nodes[0]!['Actual Rows']).toBe(40);
});
