/**
 * Where an administrator deploys the configuration, and the machine-wide defaults that depend on the OS.
 * Everything takes the platform and environment as arguments so tests can ask "what would Windows do?".
 */
import { hostname, tmpdir } from 'node:os';
import { posix, win32 } from 'node:path';

/** The environment variable that points the station at another configuration file. */
export const CONFIG_ENV = 'TAP_KIOSK_CONFIG';

export interface Host {
  platform: NodeJS.Platform;
  env: Readonly<Record<string, string | undefined>>;
}

export const currentHost = (): Host => ({ platform: process.platform, env: process.env });

/** Machine-wide data folder: `%ProgramData%\TAP Kiosk` on Windows, `/etc/tap-kiosk` (config) on Linux. */
function programData(host: Host): string {
  return host.env['ProgramData'] ?? host.env['PROGRAMDATA'] ?? 'C:\\ProgramData';
}

/**
 * The configuration file: `TAP_KIOSK_CONFIG` when set, else the machine-wide location —
 * Windows `%ProgramData%\TAP Kiosk\config.json`, macOS `/Library/Application Support/TAP Kiosk/config.json`,
 * Linux and others `/etc/tap-kiosk/config.json`.
 */
export function configPath(host: Host = currentHost()): string {
  const override = host.env[CONFIG_ENV];
  if (override !== undefined && override.trim() !== '') return override;
  if (host.platform === 'win32') return win32.join(programData(host), 'TAP Kiosk', 'config.json');
  if (host.platform === 'darwin') return '/Library/Application Support/TAP Kiosk/config.json';
  return '/etc/tap-kiosk/config.json';
}

/**
 * The audit folder when the file names none. Production: machine-wide, beside the data the station keeps
 * (`%ProgramData%\TAP Kiosk\audit`, `/var/lib/tap-kiosk/audit`). Demo: a folder under the temp directory,
 * so a demo never writes into a production journal.
 */
export function defaultAuditFolder(demo: boolean, host: Host = currentHost()): string {
  if (demo) {
    return host.platform === 'win32' ? win32.join(tmpdir(), 'tap-kiosk-demo', 'audit') : posix.join(tmpdir(), 'tap-kiosk-demo', 'audit');
  }
  if (host.platform === 'win32') return win32.join(programData(host), 'TAP Kiosk', 'audit');
  if (host.platform === 'darwin') return '/Library/Application Support/TAP Kiosk/audit';
  return '/var/lib/tap-kiosk/audit';
}

/** The host name made safe for a file name, as the default station id. */
export function defaultStationId(name: string = hostname()): string {
  const safe = name
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[^A-Za-z0-9]+/, '')
    .slice(0, 64);
  return safe === '' ? 'station' : safe;
}
