import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import WebSocket from 'ws';
import { registerUser, startTestSystem, type TestSystem } from '@switchboard/testkit';

/**
 * GraphiQL in a real (headless) Chromium: the page renders with no request leaving the machine,
 * and a subscription typed into it receives a team change over graphql-ws, authenticated with the
 * Authorization header of the active tab. Outside CI it is skipped (with a warning) where no
 * Chromium is installed; under CI=true a missing Chromium fails the run.
 */
const chromium = ['chromium', 'chromium-browser', 'google-chrome']
  .flatMap((name) => (process.env.PATH ?? '').split(delimiter).map((dir) => join(dir, name)))
  .find((candidate) => existsSync(candidate));

/** The few Chrome DevTools Protocol calls this test needs, over one page session. */
async function openPage(browserWsUrl: string) {
  const socket = new WebSocket(browserWsUrl);
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  let nextId = 0;
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  const requests: string[] = [];
  socket.on('message', (raw) => {
    const message = JSON.parse(String(raw)) as { id?: number; method?: string; params?: { request?: { url: string } }; result?: unknown; error?: { message: string } };
    if (message.id !== undefined) {
      const waiter = pending.get(message.id);
      pending.delete(message.id);
      if (message.error) waiter?.reject(new Error(message.error.message));
      else waiter?.resolve(message.result);
    } else if (message.method === 'Network.requestWillBeSent' && message.params?.request) {
      requests.push(message.params.request.url);
    }
  });
  const send = <T = unknown>(method: string, params: object = {}, sessionId?: string) =>
    new Promise<T>((resolve, reject) => {
      const id = ++nextId;
      pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      socket.send(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }));
    });
  const { targetId } = await send<{ targetId: string }>('Target.createTarget', { url: 'about:blank' });
  const { sessionId } = await send<{ sessionId: string }>('Target.attachToTarget', { targetId, flatten: true });
  const page = <T = unknown>(method: string, params: object = {}) => send<T>(method, params, sessionId);
  await page('Network.enable');
  await page('Page.enable');
  const evaluate = async <T>(expression: string): Promise<T> => {
    const { result } = await page<{ result: { value: T } }>('Runtime.evaluate', { expression, returnByValue: true, awaitPromise: true });
    return result.value;
  };
  const waitFor = async <T>(expression: string, timeoutMs = 20_000): Promise<T> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await evaluate<T>(expression);
      if (value) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${expression}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  };
  return { page, evaluate, waitFor, requests, close: () => socket.close() };
}

const mustRun = chromium !== undefined || process.env.CI === 'true';
if (!mustRun) console.warn('Skipping the GraphiQL browser test: no Chromium on PATH (apt-get install -y chromium)');

(mustRun ? describe : describe.skip)('GraphiQL in a browser', () => {
  let system: TestSystem;
  let browser: ChildProcess;
  let profile: string;

  beforeAll(async () => {
    if (!chromium) throw new Error('CI needs Chromium for the GraphiQL browser test: apt-get install -y chromium');
    system = await startTestSystem();
    profile = mkdtempSync(join(tmpdir(), 'sb-chromium-'));
    browser = spawn(chromium as string, [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--remote-debugging-port=0',
      `--user-data-dir=${profile}`,
      'about:blank',
    ]);
  }, 60_000);

  afterAll(async () => {
    browser?.kill();
    await system?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  it('renders offline and runs a subscription over graphql-ws', async () => {
    const devtools = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('Chromium did not start')), 20_000);
      browser.stderr?.on('data', (chunk: Buffer) => {
        const match = /DevTools listening on (ws:\S+)/.exec(String(chunk));
        if (match) {
          clearTimeout(timer);
          resolve(match[1] as string);
        }
      });
    });
    const owner = await registerUser(system);
    const browserPage = await openPage(devtools);
    try {
      const query = 'subscription { teamChanged { kind team { name } } }';
      await browserPage.page('Page.navigate', { url: `${system.graphiqlUrl}?query=${encodeURIComponent(query)}` });
      await browserPage.waitFor<boolean>(`!!document.querySelector('.graphiql-container .graphiql-execute-button')`);
      await browserPage.waitFor<boolean>(`(document.querySelector('.graphiql-query-editor')?.innerText ?? '').includes('teamChanged')`);
      const offsite = browserPage.requests.filter((url) => !/^(http:\/\/127\.0\.0\.1[:/]|blob:|data:)/.test(url));
      expect(offsite).toEqual([]);

      // Type the Authorization header into the Headers editor, as a user would; GraphiQL persists it.
      await browserPage.evaluate(`document.querySelector('[data-name="headers"]')?.click()`);
      await browserPage.waitFor<boolean>(`!!document.querySelector('.graphiql-editor-tool .graphiql-editor:not(.hidden) textarea')`);
      await browserPage.evaluate(`document.querySelector('.graphiql-editor-tool .graphiql-editor:not(.hidden) textarea').focus()`);
      await browserPage.page('Input.insertText', { text: `{"Authorization": "Bearer ${owner.accessToken}"` });
      await browserPage.waitFor<boolean>(
        `(() => { const s = JSON.parse(localStorage.getItem('graphiql:tabState') || '{}'); return (s.tabs?.[s.activeTabIndex]?.headers ?? '').includes('Bearer'); })()`,
      );
      await browserPage.evaluate(`document.querySelector('.graphiql-execute-button').click()`);

      const channel = `${system.redisKeyPrefix}events:team.changed`;
      const resultText = () => browserPage.evaluate<string>(`document.querySelector('.result-window')?.innerText ?? ''`);
      for (let attempt = 0; ; attempt++) {
        const [, listeners] = (await system.redis.pubsub('NUMSUB', channel)) as [string, number];
        if (Number(listeners) >= 1) break;
        if (attempt === 150) throw new Error(`GraphiQL never subscribed; it shows: ${await resultText()}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      await new Promise((resolve) => setTimeout(resolve, 300));
      const created = await system.graphql('mutation { createTeam(name: "Seen in GraphiQL") { id } }', undefined, { token: owner.accessToken });
      expect(created.errors).toBeUndefined();
      const shown = await browserPage.waitFor<string>(
        `(() => { const text = document.querySelector('.result-window')?.innerText ?? ''; return text.includes('CREATED') ? text.replace(/\\s+/g, ' ') : ''; })()`,
      );
      expect(shown).toContain('"kind": "CREATED"');
      expect(shown).toMatch(/Seen in\s*GraphiQL/);
    } finally {
      browserPage.close();
    }
  }, 90_000);
});
