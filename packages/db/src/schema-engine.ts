import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

import { PrismaPg } from '@prisma/adapter-pg';
import {
  bindMigrationAwareSqlAdapterFactory,
  type SqlDriverAdapter,
  type SqlMigrationAwareDriverAdapterFactory,
} from '@prisma/driver-adapter-utils';
import type { SchemaEngine } from '@prisma/schema-engine-wasm';
import pg from 'pg';

import { parseDatabaseUrl, quoteIdent, withDatabase, withMaintenanceClient } from './database-url';
import { connectionError, DatabaseError } from './errors';

type SchemaEngineModule = typeof import('@prisma/schema-engine-wasm');

let engineModule: SchemaEngineModule | undefined;

/** The part of the WebAssembly global used here (its types are in lib.dom, not in this project's libs). */
interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: Record<string, Record<string, unknown>>) => { exports: Record<string, unknown> };
}

/**
 * Loads Prisma's schema engine compiled to WebAssembly (no native binary, no download).
 *
 * The package is ESM and imports its `.wasm` as a module, which Node allows only behind
 * `--experimental-wasm-modules`, and jest (CommonJS mode) cannot load ESM from node_modules at
 * all. Its bindings file (`schema_engine_bg.js`, wasm-bindgen output: top-level functions and one
 * class, no imports) is therefore evaluated here as a plain script, and the WebAssembly module is
 * instantiated with it as its import object. Same code path under jest, from dist, on Node 20 or 24.
 */
function loadSchemaEngine(): SchemaEngineModule {
  if (engineModule) return engineModule;
  const bindingsPath = require.resolve('@prisma/schema-engine-wasm/schema_engine_bg');
  const dir = dirname(bindingsPath);
  const source = readFileSync(bindingsPath, 'utf8');
  const names: string[] = [];
  const script = source.replace(/^export (function|class) ([A-Za-z_$][\w$]*)/gm, (_match, kind: string, name: string) => {
    names.push(name);
    return `${kind} ${name}`;
  });
  if (/^\s*(export|import)\b/m.test(script) || !names.includes('__wbg_set_wasm') || !names.includes('SchemaEngine')) {
    throw new DatabaseError('Unsupported @prisma/schema-engine-wasm layout: cannot load its bindings');
  }
  const bindings = new Function(`${script}\nreturn { ${names.join(', ')} };`)() as SchemaEngineModule & {
    __wbg_set_wasm(exports: Record<string, unknown>): void;
  };
  // The engine's timers (timeouts around its database calls) are never cleared when the call
  // finishes first; unref them so they do not keep the process (or a jest worker) alive.
  const importObject = bindings as unknown as Record<string, unknown>;
  for (const name of names.filter((n) => n.startsWith('__wbg_setTimeout_'))) {
    const setTimer = importObject[name] as (...args: unknown[]) => unknown;
    importObject[name] = (...args: unknown[]) => {
      const timer = setTimer(...args) as { unref?: () => void } | undefined;
      timer?.unref?.();
      return timer;
    };
  }
  const wasm = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;
  const wasmModule = new wasm.Module(readFileSync(join(dir, 'schema_engine_bg.wasm')));
  const instance = new wasm.Instance(wasmModule, { './schema_engine_bg.js': importObject });
  bindings.__wbg_set_wasm(instance.exports);
  (instance.exports.__wbindgen_start as () => void)();
  engineModule = bindings;
  return bindings;
}

/**
 * pg client whose results report PostgreSQL's internal `"char"` type (OID 18, used by pg_catalog
 * columns the engine introspects) as `text`: adapter-pg rejects OID 18 as unsupported.
 */
class CatalogFriendlyClient extends pg.Client {
  override query(...args: unknown[]): never {
    const fix = (result: unknown) => {
      for (const r of Array.isArray(result) ? result : [result]) {
        for (const field of (r as pg.QueryResult | undefined)?.fields ?? []) {
          if (field.dataTypeID === 18) field.dataTypeID = 25;
        }
      }
      return result;
    };
    const last = args.length - 1;
    const callback = args[last];
    if (typeof callback === 'function') {
      args[last] = (error: unknown, result: unknown) => callback(error, error ? result : fix(result));
      return (super.query as (...a: unknown[]) => never)(...args);
    }
    const returned = (super.query as (...a: unknown[]) => unknown)(...args);
    if (returned && typeof (returned as Promise<unknown>).then === 'function') {
      return (returned as Promise<unknown>).then(fix) as never;
    }
    return returned as never;
  }
}

function createPool(connectionString: string): pg.Pool {
  const pool = new pg.Pool({ connectionString, max: 2, Client: CatalogFriendlyClient, connectionTimeoutMillis: 10_000 });
  pool.on('error', () => undefined);
  return pool;
}

/**
 * Makes `adapter.executeScript` (how the engine applies a migration) send the whole script as one
 * query. adapter-pg splits it on every `;` and runs the pieces one by one, which breaks `;` inside
 * strings, comments and `$$` bodies, and leaves the statements before a failure applied. Prisma's
 * native engine sends one simple query, which PostgreSQL runs in one implicit transaction (unless
 * the script manages transactions itself); pg uses the simple protocol for a query without
 * parameters, and `executeRaw` maps its errors as adapter-pg does for every other query.
 */
function withWholeScripts<T extends SqlDriverAdapter>(adapter: T): T {
  adapter.executeScript = async (script: string) => {
    await adapter.executeRaw({ sql: script, args: [], argTypes: [] });
  };
  return adapter;
}

/**
 * The driver adapter factory handed to the schema engine. It owns every pool it creates (the
 * engine's `free()` does not end them) and replaces adapter-pg's shadow database handling, which
 * connects the shadow pool to the main database when given a connection string and drops the
 * shadow database while its own pool still holds connections.
 */
class MigrationAdapterFactory implements SqlMigrationAwareDriverAdapterFactory {
  readonly provider = 'postgres' as const;
  readonly adapterName = '@prisma/adapter-pg';
  private readonly pools = new Set<pg.Pool>();
  private readonly shadowDatabases = new Set<string>();

  constructor(private readonly databaseUrl: string) {}

  async connect(): Promise<SqlDriverAdapter> {
    const pool = createPool(this.databaseUrl);
    this.pools.add(pool);
    return withWholeScripts(await new PrismaPg(pool).connect());
  }

  async connectToShadowDb(): Promise<SqlDriverAdapter> {
    const database = `prisma_shadow_${process.pid}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
    await withMaintenanceClient(this.databaseUrl, (client) => client.query(`CREATE DATABASE ${quoteIdent(database)}`));
    this.shadowDatabases.add(database);
    const pool = createPool(withDatabase(this.databaseUrl, database));
    this.pools.add(pool);
    const adapter = withWholeScripts(await new PrismaPg(pool).connect());
    const dispose = adapter.dispose.bind(adapter);
    adapter.dispose = async () => {
      await dispose();
      await this.closePool(pool);
      await this.dropShadow(database);
    };
    return adapter;
  }

  private async closePool(pool: pg.Pool): Promise<void> {
    if (!this.pools.delete(pool)) return;
    await pool.end().catch(() => undefined);
  }

  private async dropShadow(database: string): Promise<void> {
    if (!this.shadowDatabases.delete(database)) return;
    await withMaintenanceClient(this.databaseUrl, (client) =>
      client.query(`DROP DATABASE IF EXISTS ${quoteIdent(database)} WITH (FORCE)`),
    ).catch(() => undefined);
  }

  async close(): Promise<void> {
    await Promise.all([...this.pools].map((pool) => this.closePool(pool)));
    await Promise.all([...this.shadowDatabases].map((database) => this.dropShadow(database)));
  }
}

export interface EngineSession {
  engine: SchemaEngine;
}

/**
 * Runs `fn` with a WebAssembly schema engine connected to `databaseUrl` through adapter-pg, then
 * frees the engine and closes every connection (and shadow database) it opened.
 */
export async function withSchemaEngine<T>(
  databaseUrl: string,
  datamodels: [string, string][] | undefined,
  fn: (engine: SchemaEngine) => Promise<T>,
  log?: (message: string) => void,
): Promise<T> {
  const { display } = parseDatabaseUrl(databaseUrl);
  const { SchemaEngine } = loadSchemaEngine();
  const factory = new MigrationAdapterFactory(databaseUrl);
  let engine: SchemaEngine | undefined;
  try {
    engine = await SchemaEngine.new(
      { datamodels },
      (message: string) => log?.(message),
      bindMigrationAwareSqlAdapterFactory(factory),
    );
    return await fn(engine);
  } catch (error) {
    throw engineError(error, display);
  } finally {
    engine?.free();
    await factory.close();
  }
}

/** The engine's messages end with a Rust span trace (`   0: schema_engine_wasm::…`): drop it. */
function stripTrace(message: string): string {
  const lines = message.split('\n');
  const at = lines.findIndex((line) => /^\s+\d+: \S+::/.test(line));
  return (at === -1 ? lines : lines.slice(0, at)).join('\n').trim();
}

/** Gives whatever the engine or the driver rejected with a readable message. */
function engineError(error: unknown, display: string): Error {
  if (error instanceof DatabaseError) return error;
  const record = (error ?? {}) as { code?: unknown; severity?: unknown; message?: unknown; error?: unknown };
  // pg / network errors (ECONNREFUSED, 28P01…) met while connecting: a connection problem.
  const code = typeof record.code === 'string' ? record.code : undefined;
  if (code && (/^E[A-Z]+$/.test(code) || typeof record.severity === 'string')) {
    return connectionError(error, display);
  }
  const message =
    typeof record.message === 'string'
      ? record.message
      : typeof record.error === 'string'
        ? record.error
        : typeof error === 'string'
          ? error
          : JSON.stringify(error);
  return new DatabaseError(stripTrace(message), { cause: error });
}
