import { Recent } from './recent';

describe('Recent', () => {
  it('answers from memory within the TTL, and loads again after it', async () => {
    let now = 0;
    let loads = 0;
    const recent = new Recent<string>(5_000, 100, () => now);
    const load = async () => `value ${++loads}`;
    expect(await recent.get('a', load)).toBe('value 1');
    now = 4_999;
    expect(await recent.get('a', load)).toBe('value 1');
    now = 5_000;
    expect(await recent.get('a', load)).toBe('value 2');
  });

  it('never remembers a miss or a failure, and shares one load between concurrent callers', async () => {
    let loads = 0;
    const recent = new Recent<string>(5_000, 100, () => 0);
    expect(await recent.get('gone', async () => null)).toBeNull();
    expect(await recent.get('gone', async () => 'created since')).toBe('created since');
    await expect(recent.get('boom', async () => Promise.reject(new Error('db down')))).rejects.toThrow('db down');
    expect(await recent.get('boom', async () => 'back')).toBe('back');
    const both = await Promise.all([1, 2].map(() => recent.get('shared', async () => `load ${++loads}`)));
    expect(both).toEqual(['load 1', 'load 1']);
  });
});
