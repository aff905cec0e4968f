// The station's configuration: one schema (schema.ts), where it lives (locate.ts), how it loads (load.ts).
export { stationConfigSchema, eventConfigSchema, tapLifetimeFor, MICROSOFT_HOSTS, TAP_LIFETIME_BOUNDS } from './schema';
export type { StationConfig, StationConfigInput, EventConfig } from './schema';
export { loadConfig, parseConfig, configRequestsDemo, ConfigError } from './load';
export type { DemoDefaults, LoadOptions, ConfigErrorCode } from './load';
export { configPath, defaultAuditFolder, defaultStationId, currentHost, CONFIG_ENV } from './locate';
export type { Host } from './locate';
