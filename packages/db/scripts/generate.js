#!/usr/bin/env node
// Generates the Prisma client (packages/db/src/generated/prisma, git-ignored) from prisma/schema/
// with no network access.
//
// `prisma generate` needs no schema engine, but the CLI still tries to download the native one
// before it starts. Pointing PRISMA_SCHEMA_ENGINE_BINARY at a stub executable (created here in a
// temporary directory, removed afterwards) skips the download. Migrations do not use the native
// engine either: see src/migrate.ts (WebAssembly schema engine).
'use strict';

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const packageDir = path.resolve(__dirname, '..');
const rootDir = path.resolve(packageDir, '..', '..');
const schemaDir = path.join(rootDir, 'prisma', 'schema');
const outputDir = path.join(packageDir, 'src', 'generated', 'prisma');

function main() {
  if (!fs.existsSync(path.join(schemaDir, 'base.prisma'))) {
    console.error(`generate: ${path.relative(process.cwd(), schemaDir)}/base.prisma not found`);
    return 1;
  }
  const prismaCli = require.resolve('prisma/build/index.js', { paths: [packageDir] });

  const stubDir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchboard-prisma-'));
  const stub = path.join(stubDir, process.platform === 'win32' ? 'schema-engine.cmd' : 'schema-engine');
  fs.writeFileSync(
    stub,
    process.platform === 'win32'
      ? '@echo the native schema engine is not used by this project 1>&2\r\n@exit /b 1\r\n'
      : '#!/bin/sh\necho "the native schema engine is not used by this project" >&2\nexit 1\n',
    { mode: 0o755 },
  );

  try {
    // prisma generate empties the output directory itself: files of removed models do not linger.
    const result = spawnSync(process.execPath, [prismaCli, 'generate', '--schema', schemaDir], {
      cwd: rootDir,
      stdio: ['ignore', 'pipe', 'pipe'],
      encoding: 'utf8',
      env: {
        ...process.env,
        PRISMA_SCHEMA_ENGINE_BINARY: stub,
        CHECKPOINT_DISABLE: '1',
        PRISMA_HIDE_UPDATE_MESSAGE: '1',
        PRISMA_GENERATE_NO_HINTS: '1',
        NO_COLOR: '1',
      },
    });
    if (result.error) throw result.error;
    if (result.status !== 0) {
      process.stderr.write(result.stdout);
      process.stderr.write(result.stderr);
      console.error(`generate: prisma generate failed (exit code ${result.status})`);
      return result.status || 1;
    }
    const files = listFiles(outputDir);
    console.log(`generate: Prisma client written to ${path.relative(rootDir, outputDir)} (${files.length} files)`);
    return 0;
  } finally {
    fs.rmSync(stubDir, { recursive: true, force: true });
  }
}

function listFiles(dir) {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile());
}

process.exitCode = main();
