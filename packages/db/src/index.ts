export * from './generated/prisma/client';
export {
  DEFAULT_RANDOM_PAGE_COST,
  PLAIN_SQL_SETTINGS,
  createPrismaClient,
  sqlPoolOf,
  withTransaction,
  type CreatePrismaClientOptions,
  type SqlExecutor,
  type TransactionOptions,
} from './client';
export { migrate, type MigrateOptions, type MigrateResult } from './migrate';
export {
  createMigration,
  toMigrationSlug,
  type CreateMigrationOptions,
  type CreateMigrationResult,
} from './migration';
export { DatabaseError } from './errors';
export {
  dropDatabase,
  ensureDatabase,
  parseDatabaseUrl,
  quoteIdent,
  withDatabase,
  withMaintenanceClient,
  type ParsedDatabaseUrl,
} from './database-url';
export { findPrismaDir, resolvePaths, type PrismaPaths } from './paths';
export { listMigrationNames, migrationsChecksum } from './migrations-dir';
export { readDatasourceSchemas } from './paths';
export { loadDbConfig, type DbConfig } from './config';
