import type { Admin } from 'kafkajs';

/**
 * Creates the topics that do not exist yet (existing ones are left as they are, whatever their
 * partition count) and waits for their leaders. The admin client must be connected.
 * Returns the topics it created.
 */
export async function ensureTopics(admin: Admin, topics: readonly string[], partitions = 1): Promise<string[]> {
  const wanted = [...new Set(topics)];
  if (wanted.length === 0) return [];
  const existing = new Set(await admin.listTopics());
  const missing = wanted.filter((topic) => !existing.has(topic));
  if (missing.length === 0) return [];
  await admin.createTopics({
    waitForLeaders: true,
    topics: missing.map((topic) => ({ topic, numPartitions: partitions })),
  });
  return missing;
}
