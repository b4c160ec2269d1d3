import { z } from 'zod';
import { ConfigError, env, loadConfig } from './config';

describe('loadConfig', () => {
  const schema = z.object({
    PORT: env.port(4000),
    DATABASE_URL: env.databaseUrl,
    JWT_SECRET: env.secret,
  });

  it('applies defaults', () => {
    const config = loadConfig(schema, { JWT_SECRET: 'x'.repeat(32) });
    expect(config.PORT).toBe(4000);
    expect(config.DATABASE_URL).toMatch(/^postgresql:/);
  });

  it('lists every problem at once', () => {
    expect.assertions(3);
    try {
      loadConfig(schema, { PORT: 'eighty', DATABASE_URL: 'mysql://x', JWT_SECRET: 'short' });
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const problems = (error as ConfigError).problems;
      expect(problems).toHaveLength(3);
      expect(problems.join('\n')).toMatch(/PORT[\s\S]*DATABASE_URL[\s\S]*JWT_SECRET/);
    }
  });
});
