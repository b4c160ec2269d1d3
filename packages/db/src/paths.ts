import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

import { DatabaseError } from './errors';

/** Where the Prisma schema files and the migrations live. */
export interface PrismaPaths {
  /** Folder of `*.prisma` files (`prisma/schema`). */
  schemaDir: string;
  /** Folder of `<timestamp>_<name>/migration.sql` + `migration_lock.toml` (`prisma/migrations`). */
  migrationsDir: string;
}

let cachedRoot: string | undefined;

/**
 * The repository's `prisma/` folder, found by walking up from this file: works from `src/`
 * (jest, tsx) and from `dist/` alike, whatever the current directory.
 */
export function findPrismaDir(): string {
  if (cachedRoot) return cachedRoot;
  let dir = __dirname;
  for (;;) {
    const candidate = join(dir, 'prisma');
    if (existsSync(join(candidate, 'schema', 'base.prisma'))) {
      cachedRoot = candidate;
      return candidate;
    }
    const parent = dirname(dir);
    if (parent === dir) {
      throw new DatabaseError(`Cannot find prisma/schema/base.prisma above ${__dirname}`);
    }
    dir = parent;
  }
}

export function resolvePaths(options: Partial<PrismaPaths> = {}): PrismaPaths {
  const prismaDir = options.schemaDir && options.migrationsDir ? undefined : findPrismaDir();
  return {
    schemaDir: resolve(options.schemaDir ?? join(prismaDir!, 'schema')),
    migrationsDir: resolve(options.migrationsDir ?? join(prismaDir!, 'migrations')),
  };
}

/** The `*.prisma` files of the schema folder, sorted by name, as [path, content] pairs. */
export function readSchemaFiles(schemaDir: string): [string, string][] {
  if (!existsSync(schemaDir)) throw new DatabaseError(`Prisma schema folder not found: ${schemaDir}`);
  return readdirSync(schemaDir)
    .filter((name) => name.endsWith('.prisma'))
    .sort()
    .map((name): [string, string] => [join(schemaDir, name), readFileSync(join(schemaDir, name), 'utf8')]);
}

/** The PostgreSQL schemas listed by the datasource (`schemas = [...]`) of the schema folder. */
export function readDatasourceSchemas(schemaDir: string): string[] {
  for (const [, content] of readSchemaFiles(schemaDir)) {
    const datasource = /datasource\s+\w+\s*\{([^}]*)\}/.exec(content);
    const list = datasource && /schemas\s*=\s*\[([^\]]*)\]/.exec(datasource[1]!);
    if (list) return [...list[1]!.matchAll(/"([^"]+)"/g)].map((m) => m[1]!);
  }
  return [];
}
