const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/iu;

/** Ids of this subgraph are UUIDs; anything else cannot exist (and is answered as NOT_FOUND). */
export function isUuid(id: string): boolean {
  return UUID.test(id);
}
