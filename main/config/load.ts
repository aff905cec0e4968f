/**
 * Reading the configuration file: one function, one result or one clear message.
 *
 * Layering, lowest first: the schema's own defaults → machine defaults (station id from the host name,
 * the OS's audit folder) → in demo only, `demoDefaults` from the emulator that was just started → the file.
 * The file always wins. A production load (no `demoDefaults`, no `"demo": true`) never reaches for the
 * emulator: a missing tenant field is an error that says so.
 */
import { readFileSync } from 'node:fs';
import type { z } from 'zod';
import { jsonErrorOffset } from './json-position';
import { configPath, currentHost, defaultAuditFolder, defaultStationId, type Host } from './locate';
import { stationConfigSchema, type StationConfig, type StationConfigInput } from './schema';

/** What the running emulator tells the loader in demo mode (its URLs change with every start). */
export type DemoDefaults = Pick<StationConfigInput, 'tenantId' | 'clientId' | 'authority' | 'graphBaseUrl' | 'mySecurityInfoUrl'> &
  Partial<Pick<StationConfigInput, 'auditFolder' | 'stationId'>>;

export type ConfigErrorCode = 'missing' | 'unreadable' | 'syntax' | 'invalid';

/** The one message an administrator sees. `field` names the offending field when there is one. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly code: ConfigErrorCode,
    readonly file: string,
    readonly detail: string,
    readonly field?: string,
  ) {
    super(`config ${file}: ${detail}`);
  }
}

export interface LoadOptions {
  /** The file to read. Default: `configPath(host)` (TAP_KIOSK_CONFIG, else the machine-wide location). */
  path?: string;
  host?: Host;
  /** Given only when the kiosk runs in demo mode and has started the emulator. Turns demo mode on. */
  demoDefaults?: DemoDefaults;
}

/** Load and validate the station's configuration. Throws `ConfigError` with one message naming the field. */
export function loadConfig(options: LoadOptions = {}): StationConfig {
  const host = options.host ?? currentHost();
  const file = options.path ?? configPath(host);
  let text: string | undefined;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') throw new ConfigError('unreadable', file, `cannot be read (${code ?? String(error)})`);
    if (!options.demoDefaults) {
      throw new ConfigError('missing', file, 'file not found; create it from config/sample-config.json or set TAP_KIOSK_CONFIG to its path');
    }
  }
  return parseConfig(text ?? '{}', file, { host, demoDefaults: options.demoDefaults });
}

/** Validate configuration text as if it had been read from `file` (used by `loadConfig` and tests). */
export function parseConfig(text: string, file: string, options: Omit<LoadOptions, 'path'> = {}): StationConfig {
  const host = options.host ?? currentHost();
  const raw = parseJson(text, file);
  const demoStarted = options.demoDefaults !== undefined;
  if (demoStarted && raw['demo'] === false) {
    throw new ConfigError('invalid', file, '"demo" is false, but the kiosk was started in demo mode; remove "demo" or start without --demo', 'demo');
  }
  const demo = demoStarted || raw['demo'] === true;
  const merged: Record<string, unknown> = {
    stationId: defaultStationId(),
    auditFolder: defaultAuditFolder(demo, host),
    ...(demoStarted ? { ...options.demoDefaults, demo: true } : {}),
    ...raw,
  };
  const result = stationConfigSchema.safeParse(merged);
  if (result.success) return result.data;
  throw describe(result.error, merged, file, demo);
}

/**
 * Whether the file asks for demo mode, so the caller knows to start the emulator before `loadConfig`.
 * Any problem reading the file answers false; the production load that follows reports it properly.
 */
export function configRequestsDemo(path: string = configPath()): boolean {
  try {
    const raw: unknown = JSON.parse(readFileSync(path, 'utf8'));
    return typeof raw === 'object' && raw !== null && (raw as Record<string, unknown>)['demo'] === true;
  } catch {
    return false;
  }
}

function parseJson(text: string, file: string): Record<string, unknown> {
  let raw: unknown;
  try {
    raw = JSON.parse(text.replace(/^\uFEFF/, '')); // Notepad may save a byte-order mark
  } catch (error) {
    const offset = jsonErrorOffset(text.replace(/^\uFEFF/, ''));
    const where = offset === undefined ? '' : ` at ${lineColumn(text.replace(/^\uFEFF/, ''), offset)}`;
    // V8 may quote the whole file in its message; the first clause is the useful part.
    const reason = (error instanceof Error ? error.message : String(error)).split(/, "|\n/)[0]?.slice(0, 100);
    throw new ConfigError('syntax', file, `is not valid JSON${where}: ${reason}`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ConfigError('syntax', file, 'must contain one JSON object ({ ... })');
  }
  return raw as Record<string, unknown>;
}

function lineColumn(text: string, position: number): string {
  const before = text.slice(0, position).split('\n');
  return `line ${before.length}, column ${(before.at(-1)?.length ?? 0) + 1}`;
}

function describe(error: z.ZodError, input: Record<string, unknown>, file: string, demo: boolean): ConfigError {
  // A misspelt field ("tenantID") shows up twice: unknown, and the real one missing. Name the typo.
  const known = Object.keys(stationConfigSchema.shape).map((k) => k.toLowerCase());
  const typo = error.issues.find((issue) => issue.code === 'unrecognized_keys' && issue.keys.some((k) => known.includes(k.toLowerCase())));
  const first = typo ?? error.issues[0];
  if (!first) return new ConfigError('invalid', file, 'is not valid');
  const more = error.issues.length > 1 ? ` (and ${error.issues.length - 1} more problem${error.issues.length > 2 ? 's' : ''})` : '';
  if (first.code === 'unrecognized_keys') {
    const key = first.keys.find((k) => known.includes(k.toLowerCase())) ?? first.keys[0] ?? '';
    const meant = Object.keys(stationConfigSchema.shape).find((k) => k.toLowerCase() === key.toLowerCase());
    const hint = meant ? `did you mean "${meant}"?` : 'check its spelling against config/sample-config.json';
    return new ConfigError('invalid', file, `unknown field "${key}"; ${hint}${more}`, key);
  }
  const field = first.path.map(String).join('.');
  const value = first.path.reduce<unknown>(
    (node, key) => (typeof node === 'object' && node !== null ? (node as Record<PropertyKey, unknown>)[key] : undefined),
    input,
  );
  if (value === undefined) {
    const why = demo ? '' : ' (production: no demo flag, so nothing falls back to the emulator)';
    return new ConfigError('invalid', file, `"${field}" is required${why}${more}`, field);
  }
  return new ConfigError('invalid', file, `"${field}" ${first.message}, got ${show(value)}${more}`, field);
}

function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
