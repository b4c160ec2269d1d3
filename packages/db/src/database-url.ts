import { Client } from 'pg';

import { connectionError, DatabaseError } from './errors';

/** A PostgreSQL connection URL, checked, with the database name taken apart. */
export interface ParsedDatabaseUrl {
  url: string;
  database: string;
  /** host:port/database, without credentials: safe to print. */
  display: string;
}

export function parseDatabaseUrl(databaseUrl: string): ParsedDatabaseUrl {
  let parsed: URL;
  try {
    parsed = new URL(databaseUrl);
  } catch {
    throw new DatabaseError('DATABASE_URL is not a valid URL (expected postgresql://user@host:5432/database)');
  }
  if (parsed.protocol !== 'postgresql:' && parsed.protocol !== 'postgres:') {
    throw new DatabaseError(
      `DATABASE_URL must start with postgresql:// (got ${parsed.protocol}//…)`,
    );
  }
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  if (!database || database.includes('/')) {
    throw new DatabaseError('DATABASE_URL must name a database (postgresql://user@host:5432/<database>)');
  }
  if (database.length > 63) {
    throw new DatabaseError(`Database name "${database}" is longer than PostgreSQL's 63 characters`);
  }
  const display = `${parsed.hostname || 'localhost'}:${parsed.port || '5432'}/${database}`;
  return { url: databaseUrl, database, display };
}

/** The same server and credentials, another database. */
export function withDatabase(databaseUrl: string, database: string): string {
  const parsed = new URL(databaseUrl);
  parsed.pathname = `/${encodeURIComponent(database)}`;
  return parsed.toString();
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * Runs `fn` with a client connected to the server's `postgres` maintenance database (to create or
 * drop other databases). Connection failures become DatabaseErrors.
 */
export async function withMaintenanceClient<T>(databaseUrl: string, fn: (client: Client) => Promise<T>): Promise<T> {
  const { display } = parseDatabaseUrl(databaseUrl);
  const client = new Client({ connectionString: withDatabase(databaseUrl, 'postgres'), connectionTimeoutMillis: 10_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    throw connectionError(error, display.replace(/\/[^/]*$/, '/postgres'));
  }
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Creates the database named by the URL if it does not exist. Returns true when it was created. */
export async function ensureDatabase(databaseUrl: string): Promise<boolean> {
  const { database } = parseDatabaseUrl(databaseUrl);
  return withMaintenanceClient(databaseUrl, async (client) => {
    const existing = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (existing.rowCount) return false;
    try {
      await client.query(`CREATE DATABASE ${quoteIdent(database)}`);
      return true;
    } catch (error) {
      // Another process created it between the check and the CREATE.
      const code = (error as { code?: string }).code;
      if (code === '42P04' || code === '23505') return false;
      throw error;
    }
  });
}

/** Drops a database, disconnecting its sessions (PostgreSQL 13+). */
export async function dropDatabase(databaseUrl: string, database: string): Promise<void> {
  await withMaintenanceClient(databaseUrl, async (client) => {
    await client.query(`DROP DATABASE IF EXISTS ${quoteIdent(database)} WITH (FORCE)`);
  });
}
