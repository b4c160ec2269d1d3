import { Coalescer } from './coalescer';

describe('Coalescer', () => {
  it('flushes at once when idle, and groups what arrives during a flush', async () => {
    const batches: number[][] = [];
    let release: () => void = () => undefined;
    const coalescer = new Coalescer<number, number>(async (items) => {
      batches.push(items);
      if (batches.length === 1) await new Promise<void>((resolve) => (release = resolve));
      return items.map((item) => item * 10);
    });
    const first = coalescer.submit(1);
    const waiting = [2, 3, 4].map((item) => coalescer.submit(item));
    release();
    expect(await Promise.all([first, ...waiting])).toEqual([10, 20, 30, 40]);
    expect(batches).toEqual([[1], [2, 3, 4]]);
  });

  it('a failing batch fails only the items that fail alone', async () => {
    let release: () => void = () => undefined;
    let calls = 0;
    const coalescer = new Coalescer<number, number>(async (items) => {
      calls += 1;
      if (calls === 1) await new Promise<void>((resolve) => (release = resolve));
      if (items.includes(13)) throw new Error(`unlucky ${items.join(',')}`);
      return items;
    });
    const first = coalescer.submit(1);
    const results = [12, 13, 14].map((item) => coalescer.submit(item).catch((error: Error) => error.message));
    release();
    await first;
    expect(await Promise.all(results)).toEqual([12, 'unlucky 13', 14]);
  });

  it('splits a long queue into batches of at most maxBatch', async () => {
    const sizes: number[] = [];
    const coalescer = new Coalescer<number, number>(async (items) => {
      sizes.push(items.length);
      return items;
    }, 3);
    await Promise.all(Array.from({ length: 8 }, (_, i) => coalescer.submit(i)));
    expect(sizes).toEqual([1, 3, 3, 1]);
  });
});
