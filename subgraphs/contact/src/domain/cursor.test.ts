import { GraphQLError } from 'graphql';
import { decodeCursor, encodeCursor, parsePageRequest, toPage } from './cursor';

const id = '3f1c2b7e-9a4d-4c1e-8b2a-0d9e6f5a4b3c';

describe('keyset cursors', () => {
  it('round-trips the sort key and id, whatever the characters', () => {
    for (const key of ['Ann Lee', 'Zoë "Z" O\'Neil', '李小龍', '', 'a,b;c|d\n']) {
      const cursor = encodeCursor('contact', { key, id });
      expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(decodeCursor('contact', cursor)).toEqual({ key, id });
    }
  });

  it('is opaque: the name is not readable in it', () => {
    expect(encodeCursor('contact', { key: 'Ann Lee', id })).not.toContain('Ann');
  });

  it('refuses a cursor of another list, garbage and tampered ids', () => {
    const groupCursor = encodeCursor('group', { key: 'VIP', id });
    expect(decodeCursor('contact', groupCursor)).toBeNull();
    expect(decodeCursor('contact', 'not-a-cursor')).toBeNull();
    expect(decodeCursor('contact', '!!!')).toBeNull();
    expect(decodeCursor('contact', Buffer.from('[1,"contact","x","1 OR 1=1"]').toString('base64url'))).toBeNull();
    expect(decodeCursor('contact', Buffer.from('{"a":1}').toString('base64url'))).toBeNull();
    expect(decodeCursor('contact', 'A'.repeat(5000))).toBeNull();
  });
});

describe('parsePageRequest', () => {
  it('defaults to 20 and decodes the cursor', () => {
    expect(parsePageRequest('contact', undefined, undefined)).toEqual({ first: 20, after: null, kind: 'contact' });
    const after = encodeCursor('contact', { key: 'B', id });
    expect(parsePageRequest('contact', 50, after)).toEqual({ first: 50, after: { key: 'B', id }, kind: 'contact' });
  });

  it('tells which of the accepted kinds a cursor is', () => {
    const similar = encodeCursor('similar', { key: 'jon', id });
    expect(parsePageRequest(['contact', 'similar'], 5, similar)).toEqual({ first: 5, after: { key: 'jon', id }, kind: 'similar' });
    expect(parsePageRequest(['contact', 'similar'], 5, null).kind).toBe('contact');
    expect(() => parsePageRequest(['contact', 'similar'], 5, encodeCursor('group', { key: 'g', id }))).toThrow(GraphQLError);
  });

  it.each([
    [0, null, 'first'],
    [201, null, 'first'],
    [10, 'garbage', 'after'],
  ])('first=%s after=%s is BAD_USER_INPUT on %s', (first, after, field) => {
    try {
      parsePageRequest('contact', first, after);
      throw new Error('expected an error');
    } catch (error) {
      expect(error).toBeInstanceOf(GraphQLError);
      expect((error as GraphQLError).extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    }
  });
});

describe('toPage', () => {
  const rows = ['a', 'b', 'c'].map((name, i) => ({ name, id: id.replace(/.$/, String(i)) }));

  it('uses the extra row only to tell that a next page exists', () => {
    const page = toPage('contact', rows, { first: 2, after: null, kind: 'contact' }, (row) => ({ key: row.name, id: row.id }));
    expect(page.edges.map((edge) => edge.node.name)).toEqual(['a', 'b']);
    expect(page.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
    expect(decodeCursor('contact', page.pageInfo.endCursor!)).toEqual({ key: 'b', id: rows[1]!.id });
  });

  it('ends the list when no extra row came back', () => {
    const page = toPage('contact', rows, { first: 3, after: { key: 'x', id }, kind: 'contact' }, (row) => ({ key: row.name, id: row.id }));
    expect(page.edges).toHaveLength(3);
    expect(page.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
  });

  it('has null cursors for an empty page', () => {
    const page = toPage('contact', [], { first: 3, after: null, kind: 'contact' }, (row: { name: string; id: string }) => ({ key: row.name, id: row.id }));
    expect(page.pageInfo).toEqual({ hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null });
  });
});
