import { badUserInput } from '@switchboard/subgraph-kit';
import { isUuid } from './ids';

/**
 * Keyset cursors: a page continues after the (sort key, id) of the last row it returned, so a
 * page deep in the list costs what the first one costs (no OFFSET) and rows inserted or removed
 * meanwhile never shift later pages. The cursor is opaque to clients: base64url of a small JSON
 * array tagged with the list it belongs to.
 */
export interface Keyset {
  /** The value of the sort column (the contact's or group's name). */
  key: string;
  id: string;
}

/** `similar`: a contact search answered by name similarity (no contact contained the term). */
export type CursorKind = 'contact' | 'similar' | 'group';

const VERSION = 1;

export function encodeCursor(kind: CursorKind, keyset: Keyset): string {
  return Buffer.from(JSON.stringify([VERSION, kind, keyset.key, keyset.id]), 'utf8').toString('base64url');
}

/** Returns null for anything that is not a cursor of this kind (so callers answer BAD_USER_INPUT). */
export function decodeCursor(kind: CursorKind, cursor: string): Keyset | null {
  if (cursor.length > 2048 || !/^[A-Za-z0-9_-]+$/.test(cursor)) return null;
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  if (!Array.isArray(decoded) || decoded.length !== 4) return null;
  const [version, decodedKind, key, id] = decoded as unknown[];
  if (version !== VERSION || decodedKind !== kind || typeof key !== 'string' || typeof id !== 'string') return null;
  if (!isUuid(id)) return null;
  return { key, id };
}

export const MAX_PAGE_SIZE = 200;

export interface PageRequest {
  first: number;
  after: Keyset | null;
  /** The kind of the `after` cursor (the first accepted kind when there is none). */
  kind: CursorKind;
}

/** Checks `first` / `after` arguments; errors name the argument at fault. */
export function parsePageRequest(
  kinds: CursorKind | readonly CursorKind[],
  first: number | null | undefined,
  after: string | null | undefined,
): PageRequest {
  const accepted = typeof kinds === 'string' ? [kinds] : kinds;
  const size = first ?? 20;
  if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE_SIZE) {
    throw badUserInput(`first must be between 1 and ${MAX_PAGE_SIZE}`, 'first');
  }
  if (after === null || after === undefined || after === '') return { first: size, after: null, kind: accepted[0]! };
  for (const kind of accepted) {
    const keyset = decodeCursor(kind, after);
    if (keyset) return { first: size, after: keyset, kind };
  }
  throw badUserInput('after is not a cursor returned by this list', 'after');
}

export interface Page<T> {
  edges: { cursor: string; node: T }[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
}

/**
 * Builds a page from `first + 1` rows fetched after the cursor: the extra row only tells whether a
 * next page exists.
 */
export function toPage<T>(kind: CursorKind, rows: T[], request: PageRequest, keysetOf: (row: T) => Keyset): Page<T> {
  const hasNextPage = rows.length > request.first;
  const nodes = hasNextPage ? rows.slice(0, request.first) : rows;
  const edges = nodes.map((node) => ({ cursor: encodeCursor(kind, keysetOf(node)), node }));
  return {
    edges,
    pageInfo: {
      hasNextPage,
      hasPreviousPage: request.after !== null,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges[edges.length - 1]?.cursor ?? null,
    },
  };
}
