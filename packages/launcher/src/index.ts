export { startSystem, SUBGRAPH_FACTORIES, type RunningSystem, type SystemKafka, type ProviderSettings } from './system';
export { loadSystemConfig, configSchema, ConfigError, SERVICE_NAMES, PIPELINE_SERVICES, type SystemConfig, type ServiceName } from './config';
