export { loadConfig, ConfigError, env } from './config';
export { createLogger, type Logger } from './logger';
export { loadDevSecrets } from './dev-secrets';
