export { startSystem, SUBGRAPH_FACTORIES, type RunningSystem } from './system';
export { loadSystemConfig, configSchema, ConfigError, type SystemConfig, type ServiceName } from './config';
