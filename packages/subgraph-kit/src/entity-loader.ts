import DataLoader from 'dataloader';

/**
 * Batches entity lookups made during one request (federation `__resolveReference` calls arrive
 * one per representation): N references cost one `loadMany` call. Create one per request.
 */
export function createEntityLoader<V extends { id: string }>(
  loadMany: (ids: readonly string[]) => Promise<V[]>,
): DataLoader<string, V | null> {
  return new DataLoader<string, V | null>(
    async (ids) => {
      const rows = await loadMany(ids);
      const byId = new Map(rows.map((row) => [row.id, row]));
      return ids.map((id) => byId.get(id) ?? null);
    },
    { maxBatchSize: 1000 },
  );
}
