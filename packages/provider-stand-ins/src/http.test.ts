import { memoize } from './http';

describe('memoize', () => {
  it('computes each key once while it is among the last `max` keys, then again', () => {
    const computed: string[] = [];
    const length = memoize(2, (key) => {
      computed.push(key);
      return key.length;
    });
    expect([length('a'), length('bb'), length('a'), length('bb')]).toEqual([1, 2, 1, 2]);
    expect(computed).toEqual(['a', 'bb']);
    length('ccc'); // 'a', the oldest, goes
    expect([length('bb'), length('a')]).toEqual([2, 1]);
    expect(computed).toEqual(['a', 'bb', 'ccc', 'a']);
  });

  it('remembers nothing that failed', () => {
    let calls = 0;
    const parse = memoize(10, (url) => {
      calls += 1;
      return new URL(url);
    });
    expect(() => parse('not a url')).toThrow();
    expect(() => parse('not a url')).toThrow();
    expect(calls).toBe(2);
    expect(parse('http://127.0.0.1:1/x?y=1')).toBe(parse('http://127.0.0.1:1/x?y=1'));
  });
});
