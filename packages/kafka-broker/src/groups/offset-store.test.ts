import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { silentLogger } from '../logger';
import { OffsetStore } from './offset-store';

function openStore(dir: string): OffsetStore {
  const store = new OffsetStore(dir, silentLogger);
  store.load();
  return store;
}

describe('OffsetStore', () => {
  test('commits survive a reopen; a torn last record is dropped; deleted topics are forgotten', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'offset-store-'));
    const store = openStore(dir);
    store.commit('g1', [
      { topic: 'a', partition: 0, offset: 10, metadata: null },
      { topic: 'a', partition: 1, offset: 20, metadata: 'meta' },
    ]);
    store.commit('g1', [{ topic: 'a', partition: 0, offset: 11, metadata: null }]);
    store.commit('g2', [{ topic: 'b', partition: 0, offset: 5, metadata: null }]);
    store.close();
    // A crash in the middle of the next write leaves half a record behind.
    fs.appendFileSync(path.join(dir, 'groups', 'offsets.log'), Buffer.from([0, 0, 0, 90, 1, 2, 3]));

    const reopened = openStore(dir);
    expect(reopened.get('g1', 'a', 0)).toEqual({ offset: 11, metadata: null });
    expect(reopened.get('g1', 'a', 1)).toEqual({ offset: 20, metadata: 'meta' });
    expect(reopened.get('g2', 'b', 0)?.offset).toBe(5);
    reopened.deleteTopic('a');
    reopened.commit('g2', [{ topic: 'b', partition: 0, offset: 6, metadata: null }]);
    reopened.close();

    const third = openStore(dir);
    expect(third.get('g1', 'a', 0)).toBeUndefined();
    expect(third.groupIds()).toEqual(['g2']);
    expect(third.get('g2', 'b', 0)?.offset).toBe(6);
    third.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
