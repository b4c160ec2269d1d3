import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { kafkaFor, tempDir, waitFor } from './helpers';

const packageDir = path.join(__dirname, '..');

describe('cli', () => {
  let buildDir: string;

  beforeAll(() => {
    // Compile the sources the same way `npm run build` does, into a private folder.
    buildDir = tempDir('kafka-broker-cli-build-');
    const swc = require.resolve('@swc/cli/bin/swc.js');
    execFileSync(
      process.execPath,
      [swc, 'src', '-d', buildDir, '--strip-leading-paths', '--config-file', '../../.swcrc', '-q', '--ignore', '**/*.test.ts'],
      { cwd: packageDir, stdio: 'pipe' },
    );
  });

  afterAll(() => fs.rmSync(buildDir, { recursive: true, force: true }));

  test.each(['SIGINT', 'SIGTERM'] as const)('starts, logs its address, serves, and stops on %s', async (signal) => {
    const workDir = tempDir('kafka-broker-cli-');
    const child = spawn(process.execPath, [path.join(buildDir, 'cli.js'), '--port', '0'], {
      cwd: workDir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      await waitFor(() => /listening on/.test(stdout), `the address line (stderr: ${stderr})`, 10_000);
      const address = /listening on (127\.0\.0\.1:(\d+)) \(data dir (.+)\)/.exec(stdout);
      expect(address).not.toBeNull();
      expect(stdout.trim().split('\n')).toHaveLength(1);
      // Default data dir: .data/kafka under the working directory.
      expect(fs.realpathSync(address![3]!)).toBe(fs.realpathSync(path.join(workDir, '.data', 'kafka')));

      const producer = kafkaFor({ brokers: address![1]! }).producer();
      await producer.connect();
      await producer.send({ topic: 'cli-topic', messages: [{ value: 'hello' }] });
      await producer.disconnect();
      expect(fs.existsSync(path.join(workDir, '.data', 'kafka', 'topics', 'cli-topic', '0'))).toBe(true);

      child.kill(signal);
      expect(await exited).toBe(0);
      expect(stderr).toBe('');
    } finally {
      child.kill('SIGKILL');
    }
  });
});
