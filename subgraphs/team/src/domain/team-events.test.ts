import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { createLogger } from '@switchboard/config';
import { redisTeamEvents, teamChangedChannel } from './team-events';

const log = createLogger('team-events-test', 'silent');
const keyPrefix = `team-events-test:${randomUUID()}:`;

describe('team change events (real Redis)', () => {
  const publisher = new Redis('redis://127.0.0.1:6379', { keyPrefix, lazyConnect: true });
  const subscriber = new Redis('redis://127.0.0.1:6379', { lazyConnect: true });

  beforeAll(async () => {
    await Promise.all([publisher.connect(), subscriber.connect()]);
  });
  afterAll(async () => {
    publisher.disconnect();
    subscriber.disconnect();
  });

  it('prefixes the channel with the Redis key prefix (ioredis does not do it for channels)', () => {
    expect(teamChangedChannel(publisher)).toBe(`${keyPrefix}events:team.changed`);
    expect(teamChangedChannel({ options: {} })).toBe('events:team.changed');
  });

  it('publishes the event as JSON on the prefixed channel', async () => {
    await subscriber.subscribe(`${keyPrefix}events:team.changed`);
    const received = new Promise<[string, string]>((resolve) => subscriber.once('message', (channel, message) => resolve([channel, message])));
    await redisTeamEvents(publisher, log).changed({ organizationId: 'o1', teamId: 't1', kind: 'CREATED' });
    const [channel, message] = await received;
    expect(channel).toBe(`${keyPrefix}events:team.changed`);
    expect(JSON.parse(message)).toEqual({ organizationId: 'o1', teamId: 't1', kind: 'CREATED' });
  });

  it('does not fail the (already committed) change when Redis is unreachable', async () => {
    const closed = new Redis('redis://127.0.0.1:6379', { lazyConnect: true, enableOfflineQueue: false });
    await expect(
      redisTeamEvents(closed, log).changed({ organizationId: 'o1', teamId: 't1', kind: 'DELETED' }),
    ).resolves.toBeUndefined();
    closed.disconnect();
  });
});
