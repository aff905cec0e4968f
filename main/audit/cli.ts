/**
 * `npm run audit -- verify [--folder F] [--station S] [--key-dir D]`   exit 0: intact, 1: broken (names file and line), 2: usage
 * `npm run audit -- verify --tenant [--graph URL] [...]`   also cross-checks the passes against Entra's directory
 *   audit log (tenant.ts); exit 1 names each mismatch. The access token (AuditLog.Read.All + Directory.Read.All,
 *   optional permissions) comes from `TAP_KIOSK_GRAPH_TOKEN`, e.g. `az account get-access-token --resource-type
 *   ms-graph --query accessToken -o tsv`. `--graph` defaults to https://graph.microsoft.com/v1.0.
 * `npm run audit -- export --csv [--day YYYY-MM-DD] [--station S] [--folder F]`   CSV on stdout
 *
 * The folder defaults to the station's configured audit folder (main/config: TAP_KIOSK_CONFIG or the
 * machine-wide file).
 *
 * The station key (main/audit/keys.ts): verify needs it to tell the station's records from forgeries. The CLI
 * runs in plain Node, so it reads the plain-file key store: `--key-dir D`, else `TAP_KIOSK_KEY_DIR`, else the
 * user's configuration folder (`defaultKeyDir()`). A station whose key is sealed by Electron's safeStorage
 * (DPAPI) cannot be verified from plain Node; see main/audit/README.md.
 * Without `--station`, the configured station (when there is a configuration) and every station found in the
 * folder or the key store are checked.
 */
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config';
import { exportCsv } from './csv';
import { DAY, localDay } from './record';
import { verify } from './verify';
import { defaultKeyDir, fileKeyring, type StationKeyring } from './keys';
import { TenantAuditError, crossCheck, fetchTenantTapEntries, stationTapHistory } from './tenant';

const USAGE = `usage:
  npm run audit -- verify [--folder F] [--station S] [--key-dir D] [--tenant [--graph URL]]
  npm run audit -- export --csv [--day YYYY-MM-DD] [--station S] [--folder F]`;

class UsageError extends Error {}

/** What the CLI takes from its surroundings (tests pass their own). */
export interface CliDeps {
  env?: NodeJS.ProcessEnv;
  fetch?: typeof fetch;
  now?: () => Date;
}

const GRAPH = 'https://graph.microsoft.com/v1.0';
/** How long Entra may take to show an audit entry; younger creations without one are only noted. */
const AUDIT_DELAY_MS = 15 * 60_000;

export async function main(argv: string[], out: (text: string) => void, err: (text: string) => void, deps: CliDeps = {}): Promise<number> {
  try {
    const { positionals, values } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        folder: { type: 'string' },
        day: { type: 'string' },
        station: { type: 'string' },
        csv: { type: 'boolean', default: false },
        'key-dir': { type: 'string' },
        tenant: { type: 'boolean', default: false },
        graph: { type: 'string' },
        help: { type: 'boolean', default: false },
      },
    });
    const [command, ...extra] = positionals;
    if (values.help) {
      out(USAGE);
      return 0;
    }
    if (extra.length > 0 || (command !== 'verify' && command !== 'export')) throw new UsageError(USAGE);
    if ((values.tenant || values.graph) && command !== 'verify') throw new UsageError(`--tenant belongs to verify\n${USAGE}`);
    if (values.graph && !values.tenant) throw new UsageError(`--graph needs --tenant\n${USAGE}`);
    const env = deps.env ?? process.env;
    const token = env['TAP_KIOSK_GRAPH_TOKEN'];
    if (values.tenant && !token) throw new UsageError('verify --tenant needs an access token with AuditLog.Read.All in TAP_KIOSK_GRAPH_TOKEN');
    const folder = values.folder ?? configuredFolder();
    if (command === 'verify') {
      const keyring = fileKeyring({ dir: values['key-dir'] ?? defaultKeyDir(), folder });
      const result = await verify(folder, { keyring, ...(values.station ? { stations: [values.station] } : {}) });
      for (const note of result.notes) out(`note: ${note}`);
      if (!result.ok) {
        err(`audit journal BROKEN (${result.problem.kind}): ${result.problem.message}`);
        return 1;
      }
      const summary = result.stations.map((s) => `${s.station}: ${s.records} records in ${s.files} files, last seq ${s.lastSeq}`);
      out(`audit journal OK: ${folder}${summary.length ? `\n  ${summary.join('\n  ')}` : ' (empty)'}`);
      if (!values.tenant || !token) return 0;
      const stations = values.station ? [values.station] : result.stations.map((s) => s.station);
      return await tenantCheck(
        folder,
        stations,
        keyring,
        { graph: values.graph ?? GRAPH, token, fetch: deps.fetch, now: deps.now ?? (() => new Date()) },
        out,
        err,
      );
    }
    if (!values.csv) throw new UsageError(`export needs --csv (the only format)\n${USAGE}`);
    const day = values.day ?? localDay(new Date());
    if (!DAY.test(day)) throw new UsageError(`--day must be YYYY-MM-DD, got "${day}"`);
    out((await exportCsv(folder, day, values.station)).replace(/\r\n$/, ''));
    return 0;
  } catch (error) {
    if (error instanceof TenantAuditError) {
      err(`tenant cross-check not possible: ${error.message}`);
      return 2;
    }
    if (error instanceof UsageError || error instanceof ConfigError) {
      err(error.message);
      return 2;
    }
    if (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS')) {
      err(`${error.message}\n${USAGE}`);
      return 2;
    }
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EACCES') {
      err(`audit folder cannot be read: ${(error as Error).message}`);
      return 2;
    }
    throw error;
  }
}

async function tenantCheck(
  folder: string,
  stations: string[],
  keyring: StationKeyring,
  options: { graph: string; token: string; fetch: typeof fetch | undefined; now: () => Date },
  out: (text: string) => void,
  err: (text: string) => void,
): Promise<number> {
  let failed = false;
  for (const station of stations) {
    const history = await stationTapHistory(folder, station, keyring);
    if (!history.first || !history.last) {
      out(`${station}: no records to cross-check with the tenant`);
      continue;
    }
    const now = options.now();
    const since = new Date(history.first.getTime() - 5 * 60_000);
    const until = new Date(Math.min(now.getTime(), history.last.getTime() + AUDIT_DELAY_MS));
    const entries = await fetchTenantTapEntries({
      graph: options.graph,
      token: options.token,
      since,
      until,
      ...(options.fetch ? { fetch: options.fetch } : {}),
    });
    const result = crossCheck(history, entries, { settledBefore: new Date(now.getTime() - AUDIT_DELAY_MS) });
    for (const note of result.notes) out(`note: ${station}: ${note}`);
    if (result.ok) {
      out(`${station}: matches the tenant's audit log (${result.matched} pass creations and deletions, ${since.toISOString()} to ${until.toISOString()})`);
    } else {
      failed = true;
      for (const m of result.mismatches) err(`audit journal DISAGREES with the tenant (${m.kind}): ${station}: ${m.message}`);
    }
  }
  return failed ? 1 : 0;
}

function configuredFolder(): string {
  try {
    return loadConfig().auditFolder;
  } catch (error) {
    if (error instanceof ConfigError) throw new ConfigError(error.code, error.file, `${error.detail}\n(or pass --folder)`, error.field);
    throw error;
  }
}

// Run when executed directly (tsx main/audit/cli.ts), not when imported by tests.
if (process.argv[1] && /cli\.[cm]?[jt]s$/.test(process.argv[1])) {
  main(
    process.argv.slice(2),
    (t) => process.stdout.write(`${t}\n`),
    (t) => process.stderr.write(`${t}\n`),
  ).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = 2;
    },
  );
}
