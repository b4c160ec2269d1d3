/**
 * `npm run bench:gateway`: what the gateway costs. Starts the whole system in-process (fresh
 * database), registers a user, creates two teams they belong to, then measures the same data fetched
 *   1. through the gateway: `me { id organization { name } teams { name } }` (user + team subgraphs),
 *   2. from the subgraphs directly, as the gateway would: the user subgraph's `me`, then the team
 *      subgraph's `_entities` for that user — each with a freshly signed caller header,
 * at the same concurrency and for the same duration, and prints both side by side.
 * BENCH_CONCURRENCY (16), BENCH_SECONDS (10), BENCH_WARMUP_SECONDS (2) tune it.
 */
import http from 'node:http';
import { z } from 'zod';
import { CALLER_HEADER, signCaller, verifyAccessToken } from '@switchboard/auth';
import { loadConfig } from '@switchboard/config';
import { callerOfClaims } from '@switchboard/gateway';
import { registerUser, startTestSystem } from '@switchboard/testkit';
import { closedLoop, summarize } from './closed-loop';
import { jsonPoster } from './json-post';

const config = loadConfig(
  z.object({
    BENCH_CONCURRENCY: z.coerce.number().int().positive().default(16),
    BENCH_SECONDS: z.coerce.number().positive().default(10),
    BENCH_WARMUP_SECONDS: z.coerce.number().min(0).default(2),
  }),
);

const print = (line: string) => process.stdout.write(`${line}\n`);

const agent = new http.Agent({ keepAlive: true, maxSockets: config.BENCH_CONCURRENCY * 2 });

const postJson = jsonPoster(agent);
const measure = (operation: (n: number) => Promise<boolean>, seconds: number) => closedLoop(operation, seconds, config.BENCH_CONCURRENCY);

async function main(): Promise<void> {
  console.warn('Starting the system (fresh database, all subgraphs, gateway)…');
  const system = await startTestSystem({ logLevel: 'error' });
  try {
    const owner = await registerUser(system);
    for (const name of ['Support', 'Sales']) {
      // User.teams lists the teams the user is a member of: create each team and join it.
      const created = await system.graphql('mutation($name: String!) { createTeam(name: $name) { id } }', { name }, { token: owner.accessToken });
      if (created.errors) throw new Error(`createTeam failed: ${JSON.stringify(created.errors)}`);
      const joined = await system.graphql(
        'mutation($teamId: ID!, $userId: ID!) { addTeamMember(teamId: $teamId, userId: $userId) { id } }',
        { teamId: created.data.createTeam.id, userId: owner.user.id },
        { token: owner.accessToken },
      );
      if (joined.errors) throw new Error(`addTeamMember failed: ${JSON.stringify(joined.errors)}`);
    }
    const claims = verifyAccessToken(owner.accessToken, system.secrets.jwtSecret);
    const caller = callerOfClaims(claims, '127.0.0.1', 'bench');

    const query = '{ me { id organization { name } teams { name } } }';
    const viaGateway = async () => {
      const response = await postJson(system.gatewayUrl, { query }, { authorization: `Bearer ${owner.accessToken}` });
      return response.status === 200 && !response.body.errors && response.body.data?.me?.teams?.length === 2;
    };

    const userUrl = system.subgraphUrls.user as string;
    const teamUrl = system.subgraphUrls.team as string;
    const entitiesQuery =
      'query($representations: [_Any!]!) { _entities(representations: $representations) { ... on User { teams { name } } } }';
    const direct = async () => {
      const me = await postJson(
        userUrl,
        { query: '{ me { __typename id organization { name } } }' },
        { [CALLER_HEADER]: signCaller(caller, system.secrets.internalSecret) },
      );
      if (me.status !== 200 || me.body.errors) return false;
      const teams = await postJson(
        teamUrl,
        { query: entitiesQuery, variables: { representations: [{ __typename: 'User', id: me.body.data.me.id }] } },
        { [CALLER_HEADER]: signCaller(caller, system.secrets.internalSecret) },
      );
      return teams.status === 200 && !teams.body.errors && teams.body.data?._entities?.[0]?.teams?.length === 2;
    };

    if (!(await viaGateway())) throw new Error('The gateway query does not answer as expected');
    if (!(await direct())) throw new Error('The direct subgraph calls do not answer as expected');

    console.warn(`Warming up (${config.BENCH_WARMUP_SECONDS} s each)…`);
    await measure(viaGateway, config.BENCH_WARMUP_SECONDS);
    await measure(direct, config.BENCH_WARMUP_SECONDS);
    console.warn(`Measuring ${config.BENCH_SECONDS} s each at concurrency ${config.BENCH_CONCURRENCY}…`);
    const gateway = summarize(await measure(viaGateway, config.BENCH_SECONDS));
    const subgraphs = summarize(await measure(direct, config.BENCH_SECONDS));

    const row = (label: string, g: string, d: string, ratio: string) =>
      `${label.padEnd(14)}${g.padStart(14)}${d.padStart(20)}${ratio.padStart(12)}`;
    const fixed = (n: number, digits = 1) => n.toFixed(digits);
    print(`\nme { id organization { name } teams { name } } — concurrency ${config.BENCH_CONCURRENCY}, ${config.BENCH_SECONDS} s each\n`);
    print(row('', 'gateway', 'subgraphs direct', 'ratio'));
    print(row('requests/s', fixed(gateway.rps), fixed(subgraphs.rps), `${fixed(gateway.rps / subgraphs.rps, 2)}×`));
    print(row('p50 ms', fixed(gateway.p50, 2), fixed(subgraphs.p50, 2), `${fixed(gateway.p50 / subgraphs.p50, 2)}×`));
    print(row('p99 ms', fixed(gateway.p99, 2), fixed(subgraphs.p99, 2), `${fixed(gateway.p99 / subgraphs.p99, 2)}×`));
    print(row('requests', String(gateway.requests), String(subgraphs.requests), ''));
    print(row('errors', String(gateway.errors), String(subgraphs.errors), ''));
    print('\n"subgraphs direct" = user `me` then team `_entities`, sequentially, as the gateway\'s query plan does.');
  } finally {
    agent.destroy();
    await system.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
