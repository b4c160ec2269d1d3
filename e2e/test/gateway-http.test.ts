import { randomUUID } from 'node:crypto';
import { CALLER_HEADER, signAccessToken, signCaller } from '@switchboard/auth';
import { revocationKeys } from '@switchboard/subgraph-kit';
import { startTestSystem, type TestSystem } from '@switchboard/testkit';

/**
 * The gateway's HTTP door, through real HTTP against the whole system: authentication, limits,
 * CSRF prevention, error shapes, the browser pages and health endpoints.
 */
let system: TestSystem;

beforeAll(async () => {
  system = await startTestSystem({ env: { QUERY_DEPTH_LIMIT: '6', QUERY_COST_LIMIT: '200', MAX_BODY_BYTES: '20000' } });
});

afterAll(async () => {
  await system?.close();
});

function mintToken(overrides: { ttlSeconds?: number; organizationId?: string; sessionId?: string; secret?: string } = {}) {
  return signAccessToken(
    {
      userId: randomUUID(),
      organizationId: overrides.organizationId ?? randomUUID(),
      role: 'ADMIN',
      sessionId: overrides.sessionId ?? randomUUID(),
      tokenId: randomUUID(),
    },
    overrides.secret ?? system.secrets.jwtSecret,
    overrides.ttlSeconds ?? 300,
  ).token;
}

async function post(body: string, headers: Record<string, string> = {}) {
  const response = await fetch(system.gatewayUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  const text = await response.text();
  return { status: response.status, text, json: JSON.parse(text) as { data?: unknown; errors?: { message: string; extensions?: Record<string, unknown> }[] } };
}

describe('subgraphs only answer the gateway', () => {
  it('refuses a direct call without the caller header', async () => {
    const response = await fetch(system.subgraphUrls.team as string, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ teams { id } }' }),
    });
    expect(response.status).toBe(401);
    const body = (await response.json()) as { errors: { extensions: { code: string } }[] };
    expect(body.errors[0]?.extensions.code).toBe('UNAUTHENTICATED');
  });

  it('refuses a caller header signed with another secret', async () => {
    const forged = signCaller(
      { kind: 'user', userId: 'u', organizationId: 'o', role: 'OWNER', sessionId: 's', tokenId: 't', clientIp: '1.2.3.4', requestId: 'r' },
      'not-the-internal-secret-but-long-enough-to-look-real',
    );
    const response = await fetch(system.subgraphUrls.team as string, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [CALLER_HEADER]: forged },
      body: JSON.stringify({ query: '{ teams { id } }' }),
    });
    expect(response.status).toBe(401);
    expect(await response.text()).toMatch(/signature/);
  });
});

describe('authentication at the gateway', () => {
  it('lets an anonymous caller reach the schema, and subgraphs decide what it may do', async () => {
    const typename = await system.graphql('{ __typename }');
    expect(typename).toMatchObject({ status: 200, data: { __typename: 'Query' } });
    const teams = await system.graphql('{ teams { id } }');
    expect(teams.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('echoes a sane x-request-id, and makes one up otherwise', async () => {
    const given = await system.graphql('{ __typename }', undefined, { headers: { 'x-request-id': 'trace-123' } });
    expect(given.headers.get('x-request-id')).toBe('trace-123');
    const made = await system.graphql('{ __typename }', undefined, { headers: { 'x-request-id': 'no spaces or <tags> allowed' } });
    expect(made.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers a valid token with the caller scoped by it', async () => {
    const result = await system.graphql('{ teams { id } }', undefined, { token: mintToken() });
    expect(result.status).toBe(200);
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({ teams: [] });
  });

  it.each([
    ['expired', () => mintToken({ ttlSeconds: -30 }), /expired/],
    ['tampered', () => `${mintToken().slice(0, -3)}abc`, /invalid/],
    ['signed with another secret', () => mintToken({ secret: 'x'.repeat(48) }), /invalid/],
    ['not a bearer token', () => 'Basic dXNlcjpwYXNz', /Bearer/],
  ])('refuses an %s token with UNAUTHENTICATED, even for a public operation', async (_label, token, message) => {
    const value = token();
    const authorization = value.startsWith('Basic') ? value : `Bearer ${value}`;
    const { status, json } = await post(JSON.stringify({ query: '{ __typename }' }), { authorization });
    expect(status).toBe(401);
    expect(json.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(json.errors?.[0]?.message).toMatch(message);
    expect(json.data).toBeUndefined();
  });

  it('refuses a token whose session was revoked, or issued before a membership change', async () => {
    const sessionId = randomUUID();
    const revokedSession = mintToken({ sessionId });
    await system.redis.set(revocationKeys.session(sessionId), '1', 'EX', 600);
    const first = await system.graphql('{ __typename }', undefined, { token: revokedSession });
    expect(first.status).toBe(401);
    expect(first.errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'REVOKED' });
    expect(first.errors?.[0]?.message).toMatch(/signed out/);

    const claims = { userId: randomUUID(), organizationId: randomUUID(), role: 'ADMIN' as const, sessionId: randomUUID(), tokenId: randomUUID() };
    const before = signAccessToken(claims, system.secrets.jwtSecret, 300).token;
    await system.redis.set(revocationKeys.membership(claims.organizationId, claims.userId), String(Math.floor(Date.now() / 1000)), 'EX', 600);
    const second = await system.graphql('{ __typename }', undefined, { token: before });
    expect(second.errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'REVOKED' });
    expect(second.errors?.[0]?.message).toMatch(/membership/);
  });
});

describe('limits and error shapes', () => {
  it('answers an unknown field with GRAPHQL_VALIDATION_FAILED and 400', async () => {
    const result = await system.graphql('{ teamz { id } }', undefined, { token: mintToken() });
    expect(result.status).toBe(400);
    expect(result.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(result.errors?.[0]?.message).toMatch(/teamz/);
  });

  it('refuses an over-deep query with QUERY_TOO_DEEP and 400', async () => {
    const deep = '{ teams { members { user { teams { members { user { teams { id } } } } } } } }';
    const result = await system.graphql(deep, undefined, { token: mintToken() });
    expect(result.status).toBe(400);
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_DEEP', maxDepth: 6 });
    expect(result.errors?.[0]?.message).toMatch(/levels deep; the limit is 6/);
  });

  it('refuses an over-costly query with QUERY_TOO_COSTLY and 400', async () => {
    // teams (10) × members (10) × user { id teams (10) { id name } } — within depth, far over cost 200.
    const costly = '{ teams { id members { role user { id teams { id name } } } } }';
    const result = await system.graphql(costly, undefined, { token: mintToken() });
    expect(result.status).toBe(400);
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COSTLY', maxCost: 200 });
    expect(result.errors?.[0]?.extensions?.cost).toBeGreaterThan(200);
  });

  it('refuses an oversized body with 413 and PAYLOAD_TOO_LARGE', async () => {
    const padding = 'x'.repeat(30_000);
    const { status, json } = await post(JSON.stringify({ query: `{ __typename } # ${padding}` }));
    expect(status).toBe(413);
    expect(json.errors?.[0]?.extensions?.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('keeps a subgraph error code and never shows a stack trace', async () => {
    const result = await system.graphql('query($id: ID!) { team(id: $id) { id } }', { id: randomUUID() }, { token: mintToken() });
    expect(result.status).toBe(200);
    expect(result.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect(JSON.stringify(result.errors)).not.toMatch(/stacktrace|exception|serviceName|at .*\.ts:\d+/);
  });

  it('answers a subscription over HTTP with a pointer to WebSocket, not a 500', async () => {
    const result = await system.graphql('subscription { teamChanged { kind } }', undefined, { token: mintToken() });
    expect(result.status).toBe(400);
    expect(result.errors?.[0]?.message).toMatch(/WebSocket/);
  });
});

describe('CSRF prevention', () => {
  it('refuses a GET mutation and a simple-content-type POST without the preflight header', async () => {
    const token = mintToken();
    const get = await fetch(`${system.gatewayUrl}?query=${encodeURIComponent('mutation { createTeam(name: "csrf") { id } }')}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(get.status).toBe(400);
    expect(await get.text()).toMatch(/Cross-Site Request Forgery/);

    const simple = await fetch(system.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: 'mutation { createTeam(name: "csrf") { id } }' }),
    });
    expect(simple.status).toBe(400);
    expect(await simple.text()).toMatch(/Cross-Site Request Forgery/);
    const teams = await system.graphql('{ teams { name } }', undefined, { token });
    expect(teams.data).toEqual({ teams: [] });
  });

  it('still serves a GET query that carries the preflight header', async () => {
    const response = await fetch(`${system.gatewayUrl}?query=${encodeURIComponent('{ __typename }')}`, {
      headers: { 'apollo-require-preflight': 'true' },
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ data: { __typename: 'Query' } });
  });
});

describe('pages and health', () => {
  it('serves Apollo Sandbox to a browser at / and /graphql', async () => {
    for (const path of ['/', '/graphql']) {
      const response = await fetch(`${system.baseUrl}${path}`, { headers: { accept: 'text/html' } });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/text\/html/);
      expect(await response.text()).toMatch(/sandbox/i);
    }
  });

  it('serves an offline GraphiQL page wired to /graphql and graphql-ws, with no external scripts', async () => {
    const response = await fetch(system.graphiqlUrl);
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).not.toMatch(/<script[^>]+src=/i);
    expect(html).not.toMatch(/<link[^>]+href="https?:/i);
    expect(html).toContain('"endpoint":"/graphql"');
    expect(html).toContain('"subscriptionsProtocol":"WS"');
    expect(html).toContain('connectionParams');
  });

  it('reports liveness and readiness of every part', async () => {
    const health = await fetch(`${system.baseUrl}/healthz`);
    expect(health.status).toBe(200);
    const ready = await fetch(`${system.baseUrl}/readyz`);
    const report = (await ready.json()) as { status: string; checks: Record<string, { status: string }> };
    expect(ready.status).toBe(200);
    expect(report.status).toBe('ready');
    expect(Object.keys(report.checks).sort()).toEqual(
      ['postgres', 'redis', 'supergraph', ...['campaign', 'contact', 'inbox', 'messaging', 'team', 'template', 'user'].map((n) => `subgraph:${n}`)].sort(),
    );
  });

  it('answers 503 from /readyz listing a subgraph that is down', async () => {
    const inbox = system.subgraphs.find((s) => s.name === 'inbox');
    await inbox?.close();
    const ready = await fetch(`${system.baseUrl}/readyz`);
    expect(ready.status).toBe(503);
    const report = (await ready.json()) as { status: string; checks: Record<string, { status: string; error?: string }> };
    expect(report.status).toBe('unavailable');
    expect(report.checks['subgraph:inbox']).toMatchObject({ status: 'failing' });
    expect(report.checks['subgraph:user']).toEqual({ status: 'ok' });
    expect((await fetch(`${system.baseUrl}/healthz`)).status).toBe(200);
  });
});
