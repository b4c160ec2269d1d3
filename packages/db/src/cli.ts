#!/usr/bin/env node
// Database CLI (root scripts):
//   npm run db:migrate                 create the database if needed, apply pending migrations
//   npm run db:migration -- <name>     write the next migration from the prisma/schema/ changes
// DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/switchboard) names the database.
import { relative } from 'node:path';

import { ConfigError } from '@switchboard/config';

import { loadDbConfig } from './config';
import { parseDatabaseUrl } from './database-url';
import { DatabaseError } from './errors';
import { migrate } from './migrate';
import { createMigration } from './migration';

const USAGE = `Usage:
  db migrate              apply pending migrations (creates the database if needed)
  db migration <name>     write prisma/migrations/<timestamp>_<name>/migration.sql from the schema changes`;

/** CLI output (stdout); errors go to console.error. */
function print(message: string): void {
  process.stdout.write(`${message}\n`);
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === '--help' || command === '-h' || command === 'help') {
    print(USAGE);
    return 0;
  }
  if (command !== 'migrate' && command !== 'migration') {
    console.error(command ? `Unknown command "${command}".\n${USAGE}` : USAGE);
    return 2;
  }
  const { DATABASE_URL: databaseUrl } = loadDbConfig();
  const { display } = parseDatabaseUrl(databaseUrl);

  if (command === 'migrate') {
    const started = Date.now();
    const result = await migrate(databaseUrl, { log: (message) => print(message) });
    const count = result.appliedMigrations.length;
    print(
      count === 0
        ? `${display} is up to date (${Date.now() - started} ms)`
        : `${display}: applied ${count} migration${count === 1 ? '' : 's'} (${Date.now() - started} ms)`,
    );
    return 0;
  }

  const name = rest.filter((arg) => !arg.startsWith('-')).join('_');
  if (!name) {
    console.error(`A migration name is required: npm run db:migration -- <name>\n${USAGE}`);
    return 2;
  }
  const result = await createMigration(databaseUrl, name);
  if (!result.path) {
    print('no changes: the migrations already match prisma/schema/');
    return 0;
  }
  print(`wrote ${relative(process.cwd(), result.path)} — review the SQL before committing:\n`);
  print(result.sql);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof DatabaseError || error instanceof ConfigError) {
      console.error(`error: ${error.message}`);
    } else {
      console.error(error);
    }
    process.exitCode = 1;
  },
);
