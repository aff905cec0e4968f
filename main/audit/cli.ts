/**
 * `npm run audit -- verify [--folder F] [--station S] [--key-dir D]`   exit 0: intact, 1: broken (names file and line), 2: usage
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
import { defaultKeyDir, fileKeyring } from './keys';

const USAGE = `usage:
  npm run audit -- verify [--folder F] [--station S] [--key-dir D]
  npm run audit -- export --csv [--day YYYY-MM-DD] [--station S] [--folder F]`;

class UsageError extends Error {}

export async function main(argv: string[], out: (text: string) => void, err: (text: string) => void): Promise<number> {
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
        help: { type: 'boolean', default: false },
      },
    });
    const [command, ...extra] = positionals;
    if (values.help) {
      out(USAGE);
      return 0;
    }
    if (extra.length > 0 || (command !== 'verify' && command !== 'export')) throw new UsageError(USAGE);
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
      return 0;
    }
    if (!values.csv) throw new UsageError(`export needs --csv (the only format)\n${USAGE}`);
    const day = values.day ?? localDay(new Date());
    if (!DAY.test(day)) throw new UsageError(`--day must be YYYY-MM-DD, got "${day}"`);
    out((await exportCsv(folder, day, values.station)).replace(/\r\n$/, ''));
    return 0;
  } catch (error) {
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
