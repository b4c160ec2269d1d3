/**
 * `npm run bench:templates`: what the Redis cache buys `renderTemplate`. On a fresh database it
 * creates an email, an SMS and an approved WhatsApp template, then measures rendering them (in
 * turn) with the template cache on and off, at the same concurrency and for the same duration:
 *   1. through the template subgraph over HTTP, exactly as the gateway calls it (a freshly signed
 *      caller header per request): two servers over the same database and Redis, one with the
 *      cache and one built with `templateSubgraph(deps, { cache: false })`;
 *   2. in-process, calling the template service directly (no HTTP, no GraphQL): the data path alone.
 * Prints renders/s, p50 and p99 side by side with the ratio.
 * BENCH_CONCURRENCY (16), BENCH_SECONDS (10), BENCH_WARMUP_SECONDS (2) tune it.
 */
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { z } from 'zod';
import { CALLER_HEADER, signCaller, type Caller } from '@switchboard/auth';
import { createLogger, env, loadConfig } from '@switchboard/config';
import { startSubgraphServer, type SubgraphDeps } from '@switchboard/subgraph-kit';
import { createTemplateService, templateSubgraph } from '@switchboard/subgraph-template';
import { createTestDatabase } from '@switchboard/testkit';
import { closedLoop, summarize } from './closed-loop';
import { jsonPoster } from './json-post';

const config = loadConfig(
  z.object({
    REDIS_URL: env.redisUrl,
    BENCH_CONCURRENCY: z.coerce.number().int().positive().default(16),
    BENCH_SECONDS: z.coerce.number().positive().default(10),
    BENCH_WARMUP_SECONDS: z.coerce.number().min(0).default(2),
  }),
);

const print = (line: string) => process.stdout.write(`${line}\n`);
const INTERNAL_SECRET = randomUUID() + randomUUID();
const agent = new http.Agent({ keepAlive: true, maxSockets: config.BENCH_CONCURRENCY * 2 });

const postJson = jsonPoster(agent);
const measure = (operation: (n: number) => Promise<boolean>, seconds: number) => closedLoop(operation, seconds, config.BENCH_CONCURRENCY);

const RENDER = `query Render($id: ID!, $variables: JSON!) {
  renderTemplate(id: $id, variables: $variables) {
    __typename
    ... on RenderedEmail { subject html text }
    ... on RenderedSms { body encoding segments }
    ... on RenderedWhatsApp { body components }
  }
}`;

const TEMPLATES = [
  {
    input: {
      channel: 'EMAIL',
      name: 'Bench welcome',
      variables: [
        { name: 'first_name', example: 'Ann' },
        { name: 'link', type: 'URL', example: 'https://app.example.test/start' },
        { name: 'plan', example: 'Pro' },
      ],
      email: {
        subject: 'Welcome to {{plan}}, {{first_name}}',
        html:
          '<!doctype html><html><body><table role="presentation" width="100%"><tr><td>' +
          '<h1 style="font-family:sans-serif">Hi {{first_name}}!</h1>' +
          '<p>Your {{plan}} plan is ready. <a href="{{link}}" title="Open {{plan}}">Open the app</a>.</p>' +
          '<p style="color:#888">You get this email because you signed up. <a href="https://app.example.test/prefs?u={{first_name}}">Preferences</a></p>' +
          '</td></tr></table></body></html>',
        text: 'Hi {{first_name}}! Your {{plan}} plan is ready: {{link}}',
      },
    },
    variables: { first_name: 'Ann <Lee> & "Co"', link: 'https://app.example.test/start?x=1&y=2', plan: 'Pro' },
  },
  {
    input: {
      channel: 'SMS',
      name: 'Bench code',
      variables: [{ name: 'code', type: 'NUMBER', example: 123456 }, { name: 'minutes', type: 'NUMBER', example: 10 }],
      sms: { body: 'Your verification code is {{code}}. It expires in {{minutes}} minutes. Never share it.' },
    },
    variables: { code: 428913, minutes: 10 },
  },
  {
    input: {
      channel: 'WHATSAPP',
      name: 'bench_order_update',
      language: 'en_US',
      variables: [
        { name: '1', example: 'Ann' },
        { name: '2', example: 'A-1042' },
        { name: '3', type: 'CURRENCY', example: { amount: 42.5, currency: 'USD' } },
      ],
      whatsapp: {
        category: 'UTILITY',
        header: { text: 'Order {{2}}' },
        body: 'Hi {{1}}, your order {{2}} of {{3}} has shipped.',
        footer: 'Reply STOP to unsubscribe',
        buttons: [{ type: 'URL', text: 'Track', url: 'https://shop.example.test/t/{{2}}' }],
      },
    },
    variables: { '1': 'Ann', '2': 'A-1042', '3': { amount: 42.5, currency: 'USD' } },
  },
];

async function main(): Promise<void> {
  console.warn('Preparing a fresh database, Redis key prefix and two template subgraphs (cache on / off)…');
  const database = await createTestDatabase({ prefix: 'bench_templates', poolSize: 10 });
  const keyPrefix = `bench:templates:${randomUUID()}:`;
  const redis = new Redis(config.REDIS_URL, { keyPrefix });
  const log = createLogger('bench-templates', 'error');
  const deps: SubgraphDeps = {
    prisma: database.prisma,
    redis,
    log,
    settings: { jwtSecret: 'unused', accessTokenTtlSeconds: 900, refreshTokenTtlSeconds: 3600, publicUrl: 'http://bench.test' },
  };
  const cachedServer = await startSubgraphServer({ definition: templateSubgraph(deps), port: 0, internalSecret: INTERNAL_SECRET, log });
  const uncachedServer = await startSubgraphServer({
    definition: templateSubgraph(deps, { cache: false }),
    port: 0,
    internalSecret: INTERNAL_SECRET,
    log,
  });
  const organizationId = randomUUID();
  const caller = (): Caller => ({
    kind: 'user',
    userId: randomUUID(),
    organizationId,
    role: 'ADMIN',
    sessionId: 'bench',
    tokenId: 'bench',
    clientIp: '127.0.0.1',
    requestId: randomUUID(),
  });
  const call = (url: string, query: string, variables: Record<string, unknown>) =>
    postJson(url, { query, variables }, { [CALLER_HEADER]: signCaller(caller(), INTERNAL_SECRET) });

  try {
    const targets: { id: string; variables: unknown }[] = [];
    for (const template of TEMPLATES) {
      const created = await call(cachedServer.url, 'mutation($input: CreateTemplateInput!) { createTemplate(input: $input) { id channel } }', {
        input: template.input,
      });
      if (created.body.errors) throw new Error(`createTemplate failed: ${JSON.stringify(created.body.errors)}`);
      const id = created.body.data.createTemplate.id as string;
      if (created.body.data.createTemplate.channel === 'WHATSAPP') {
        await call(cachedServer.url, 'mutation($id: ID!) { submitTemplateForApproval(id: $id) { id } }', { id });
        await call(cachedServer.url, 'mutation($id: ID!) { setTemplateApprovalStatus(id: $id, status: APPROVED) { id } }', { id });
      }
      targets.push({ id, variables: template.variables });
    }

    const overHttp = (url: string) => async (n: number) => {
      const target = targets[n % targets.length]!;
      const response = await call(url, RENDER, { id: target.id, variables: target.variables });
      return response.status === 200 && !response.body.errors && response.body.data?.renderTemplate?.__typename !== undefined;
    };
    const cachedService = createTemplateService(deps);
    const uncachedService = createTemplateService(deps, { cache: false });
    const inProcess = (service: ReturnType<typeof createTemplateService>) => async (n: number) => {
      const target = targets[n % targets.length]!;
      const rendered = await service.render(organizationId, target.id, target.variables);
      return rendered.templateId === target.id;
    };

    for (const [name, op] of [
      ['HTTP cached', overHttp(cachedServer.url)],
      ['HTTP uncached', overHttp(uncachedServer.url)],
      ['service cached', inProcess(cachedService)],
      ['service uncached', inProcess(uncachedService)],
    ] as const) {
      if (!(await op(0)) || !(await op(1)) || !(await op(2))) throw new Error(`${name}: renderTemplate does not answer as expected`);
    }

    const run = async (a: (n: number) => Promise<boolean>, b: (n: number) => Promise<boolean>) => {
      await measure(a, config.BENCH_WARMUP_SECONDS);
      const cached = summarize(await measure(a, config.BENCH_SECONDS));
      await measure(b, config.BENCH_WARMUP_SECONDS);
      const uncached = summarize(await measure(b, config.BENCH_SECONDS));
      return { cached, uncached };
    };
    console.warn(`Measuring ${config.BENCH_SECONDS} s per mode (after ${config.BENCH_WARMUP_SECONDS} s warm-up) at concurrency ${config.BENCH_CONCURRENCY}…`);
    const http1 = await run(overHttp(cachedServer.url), overHttp(uncachedServer.url));
    const service = await run(inProcess(cachedService), inProcess(uncachedService));

    const row = (label: string, c: string, u: string, ratio: string) => `${label.padEnd(16)}${c.padStart(14)}${u.padStart(14)}${ratio.padStart(16)}`;
    const fixed = (n: number, digits = 1) => n.toFixed(digits);
    const table = (title: string, { cached, uncached }: Awaited<ReturnType<typeof run>>) => {
      print(`\n${title}`);
      print(row('', 'Redis cache', 'no cache', 'cache / none'));
      print(row('renders/s', fixed(cached.rps), fixed(uncached.rps), `${fixed(cached.rps / uncached.rps, 2)}×`));
      print(row('p50 ms', fixed(cached.p50, 2), fixed(uncached.p50, 2), `${fixed(cached.p50 / uncached.p50, 2)}×`));
      print(row('p99 ms', fixed(cached.p99, 2), fixed(uncached.p99, 2), `${fixed(cached.p99 / uncached.p99, 2)}×`));
      print(row('renders', String(cached.requests), String(uncached.requests), ''));
      print(row('errors', String(cached.errors), String(uncached.errors), ''));
    };
    print(`\nrenderTemplate (email, SMS, WhatsApp in turn) — concurrency ${config.BENCH_CONCURRENCY}, ${config.BENCH_SECONDS} s per mode`);
    table('1. template subgraph over HTTP (as the gateway calls it)', http1);
    table('2. template service in-process (data path only)', service);
    const stats = cachedService.cacheStats();
    if (stats) {
      print(`\nin-process cache: ${stats.hits} hits, ${stats.misses} misses, ${stats.errors} errors (entries already warm from run 1)`);
    }
    print('Both modes render the same three templates with the same values; "no cache" reads PostgreSQL on every render.');
  } finally {
    agent.destroy();
    await cachedServer.close();
    await uncachedServer.close();
    const keys = await redis.keys(`${keyPrefix}*`).catch(() => [] as string[]);
    if (keys.length) await redis.del(...keys.map((key) => key.slice(keyPrefix.length))).catch(() => undefined);
    redis.disconnect();
    await database.drop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
