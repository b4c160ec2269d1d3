import { env, loadConfig } from '@switchboard/config';
import { z } from 'zod';

const schema = z.object({
  DATABASE_URL: env.databaseUrl,
  LOG_LEVEL: env.logLevel,
});

export type DbConfig = z.infer<typeof schema>;

/** The database CLI's settings, from the environment. */
export function loadDbConfig(source: Record<string, string | undefined> = process.env): DbConfig {
  return loadConfig(schema, source);
}
