import { ConfigError, loadSystemConfig } from './config';

const secrets = { JWT_SECRET: 'j'.repeat(40), INTERNAL_CONTEXT_SECRET: 'i'.repeat(40) };

describe('loadSystemConfig', () => {
  it('applies the documented defaults', () => {
    const config = loadSystemConfig({ ...secrets });
    expect(config).toMatchObject({
      port: 4000,
      subgraphPortBase: 4001,
      supergraphMode: 'static',
      accessTokenTtlSeconds: 900,
      refreshTokenTtlSeconds: 30 * 24 * 3600,
      queryDepthLimit: 12,
      queryCostLimit: 10_000,
      maxBodyBytes: 1_048_576,
      trustProxy: false,
      services: ['gateway', 'user', 'team', 'contact', 'template', 'campaign', 'inbox', 'messaging'],
      publicUrl: 'http://localhost:4000',
    });
  });

  it('requires the secrets in production and lists every problem at once', () => {
    expect.assertions(2);
    try {
      loadSystemConfig({ NODE_ENV: 'production', PORT: 'eighty', SERVICES: 'gateway,billing', SUBGRAPH_URLS: 'user=ftp://x' });
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).problems.map((p) => p.split(':')[0]).sort()).toEqual(
        ['INTERNAL_CONTEXT_SECRET', 'JWT_SECRET', 'PORT', 'SERVICES', 'SUBGRAPH_URLS'].sort(),
      );
    }
  });

  it('runs one role with remote subgraphs', () => {
    const config = loadSystemConfig({ ...secrets, SERVICES: 'gateway', SUBGRAPH_URLS: 'user=http://user:4001/graphql' });
    expect(config.services).toEqual(['gateway']);
    expect(config.subgraphUrls).toEqual({ user: 'http://user:4001/graphql' });
  });
});
