import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Development convenience: secrets generated once and kept in a git-ignored file under the data
 * directory, so `npm start` works with no setup and tokens survive a restart. Never used when
 * NODE_ENV=production — there the secrets must come from the environment.
 */
export function loadDevSecrets<K extends string>(file: string, names: readonly K[]): Record<K, string> {
  let stored: Partial<Record<K, string>> = {};
  try {
    stored = JSON.parse(readFileSync(file, 'utf8')) as Partial<Record<K, string>>;
  } catch {
    stored = {};
  }
  let changed = false;
  for (const name of names) {
    if (!stored[name]) {
      stored[name] = randomBytes(32).toString('base64url');
      changed = true;
    }
  }
  if (changed) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify(stored, null, 2), { mode: 0o600 });
  }
  return stored as Record<K, string>;
}
