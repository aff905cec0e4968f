/**
 * The station's audit key and the anchored chain head, kept OUTSIDE the journal folder.
 *
 * - The key (32 random bytes, one per station and journal folder) makes every record's `mac` (record.ts): a
 *   record written, edited or re-hashed by anyone without the key fails `verify`, and crash recovery ignores it.
 * - The anchor is the last record the writer acknowledged (seq, hash, and a mac over both under the key). It is
 *   updated after every append, like the head file in the folder, but where the folder's permissions do not
 *   reach: a journal cut short (even with its head file rewritten) or deleted entirely is reported by `verify`.
 *
 * Implementations:
 * - `fileKeyring` (here, plain Node): one JSON file per station under a directory outside the journal folder,
 *   mode 0600 in a 0700 directory. For tests, development and the CLI. WEAKER: anyone who can read that file
 *   (the account the kiosk runs as, an administrator, a backup) has the key and can forge records and anchors.
 * - `safeStorageKeyring` (main/kiosk/safe-storage-keyring.ts, Electron): the same files, but their content sealed
 *   with Electron's `safeStorage` (DPAPI on Windows, the platform secret store on Linux/macOS). An administrator
 *   can still delete or replace the sealed file (see main/audit/README.md for what that does and does not allow).
 *
 * The host picks the keyring once (`useKeyring`); the journal, `verify`, `pendingTaps` and crash recovery then all
 * use it unless given one explicitly. The default is `fileKeyring` under `defaultKeyDir()`.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { mkdir, readFile, readdir, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { sameHex } from './record';

const hex64 = z.string().regex(/^[0-9a-f]{64}$/);

/** The chain head as anchored outside the folder. `mac` = HMAC(key, station, seq, hash). */
export interface ChainAnchor {
  seq: number;
  hash: string;
  mac: string;
}

/** One station's key and anchor. */
export interface StationKeyStore {
  /** 'sealed': protected by the OS (DPAPI / secret store); 'file': a plain file readable by its owner. */
  readonly kind: 'sealed' | 'file';
  /** The station's key; created (and stored) on first use. */
  getOrCreateKey(): Promise<Buffer>;
  /** The key if one was ever created, else undefined (verify never creates one). */
  readKey(): Promise<Buffer | undefined>;
  readAnchor(): Promise<ChainAnchor | undefined>;
  writeAnchor(anchor: ChainAnchor): Promise<void>;
}

/** The key stores of every station that wrote to one journal folder from this machine. */
export interface StationKeyring {
  store(station: string): StationKeyStore;
  /** Stations that have a key for this folder (so a folder emptied by an attacker still names them). */
  stations(): Promise<string[]>;
}

export const anchorMac = (key: Buffer, station: string, seq: number, hash: string): string =>
  createHmac('sha256', key).update(`tap-kiosk audit anchor\n${station}\n${seq}\n${hash}`, 'utf8').digest('hex');

export function makeAnchor(key: Buffer, station: string, seq: number, hash: string): ChainAnchor {
  return { seq, hash, mac: anchorMac(key, station, seq, hash) };
}

export function anchorIsGenuine(key: Buffer, station: string, anchor: ChainAnchor): boolean {
  return sameHex(anchorMac(key, station, anchor.seq, anchor.hash), anchor.mac);
}

/** What a key file holds (for the sealed keyring: what the sealed blob decrypts to). */
export const keyFileSchema = z.strictObject({
  v: z.literal(1),
  station: z.string(),
  folder: z.string(),
  key: z.string().regex(/^[0-9a-f]{64}$/),
  anchor: z.strictObject({ seq: z.int().min(0), hash: hex64, mac: hex64 }).optional(),
});
export type KeyFile = z.output<typeof keyFileSchema>;

/** A folder's id in the key directory: its absolute path, hashed. */
export const folderId = (folder: string): string => createHash('sha256').update(resolve(folder), 'utf8').digest('hex').slice(0, 32);

/** How a keyring stores one station's file: plain JSON, or sealed by the platform. */
export interface KeyFileCodec {
  readonly kind: 'sealed' | 'file';
  encode(file: KeyFile): Buffer;
  decode(bytes: Buffer): KeyFile;
}

const plainCodec: KeyFileCodec = {
  kind: 'file',
  encode: (file) => Buffer.from(`${JSON.stringify(file)}\n`, 'utf8'),
  decode: (bytes) => keyFileSchema.parse(JSON.parse(bytes.toString('utf8'))),
};

export class KeyStoreError extends Error {
  override readonly name = 'KeyStoreError';
}

/** A keyring of files `<dir>/<folderId>/<station>.key`, written atomically, mode 0600 (directories 0700). */
export function keyFileRing(options: { dir: string; folder: string; codec: KeyFileCodec }): StationKeyring {
  const base = join(options.dir, folderId(options.folder));
  const folder = resolve(options.folder);
  const store = (station: string): StationKeyStore => {
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(station)) throw new KeyStoreError(`not a station id: "${station}"`);
    const path = join(base, `${station}.key`);
    const read = async (): Promise<KeyFile | undefined> => {
      let bytes: Buffer;
      try {
        bytes = await readFile(path);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
      try {
        const file = options.codec.decode(bytes);
        if (file.station !== station) throw new Error('names another station');
        return file;
      } catch (error) {
        throw new KeyStoreError(`the audit key file ${path} cannot be read: ${error instanceof Error ? error.message : String(error)}`);
      }
    };
    // Only a new key makes the directory: the anchor is written over a key file just read, so it exists.
    const write = async (file: KeyFile, how: { makeDir?: boolean } = {}): Promise<void> => {
      if (how.makeDir) await mkdir(base, { recursive: true, mode: 0o700 });
      const temp = `${path}.${process.pid}.tmp`;
      await writeFile(temp, options.codec.encode(file), { mode: 0o600 });
      await rename(temp, path);
    };
    return {
      kind: options.codec.kind,
      async getOrCreateKey() {
        const existing = await read();
        if (existing) return Buffer.from(existing.key, 'hex');
        const key = randomBytes(32);
        await write({ v: 1, station, folder, key: key.toString('hex') }, { makeDir: true });
        return key;
      },
      async readKey() {
        const existing = await read();
        return existing ? Buffer.from(existing.key, 'hex') : undefined;
      },
      async readAnchor() {
        return (await read())?.anchor;
      },
      async writeAnchor(anchor) {
        const existing = await read();
        if (!existing) throw new KeyStoreError(`no audit key for station ${station}: cannot anchor the journal`);
        await write({ ...existing, anchor: { seq: anchor.seq, hash: anchor.hash, mac: anchor.mac } });
      },
    };
  };
  return {
    store,
    async stations() {
      try {
        return (await readdir(base)).flatMap((name) => (name.endsWith('.key') ? [name.slice(0, -4)] : []));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw error;
      }
    },
  };
}

/** The plain-file keyring (tests, development, the CLI). Weaker than the sealed one: see the file comment. */
export const fileKeyring = (options: { dir: string; folder: string }): StationKeyring => keyFileRing({ ...options, codec: plainCodec });

/**
 * Where the plain-file keyring lives unless told otherwise: `TAP_KIOSK_KEY_DIR`, else the user's configuration
 * folder (`%APPDATA%\TAP Kiosk\audit-keys`, `~/Library/Application Support/TAP Kiosk/audit-keys`,
 * `$XDG_CONFIG_HOME/tap-kiosk/audit-keys` or `~/.config/tap-kiosk/audit-keys`). Never inside a journal folder.
 */
export function defaultKeyDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env['TAP_KIOSK_KEY_DIR']) return env['TAP_KIOSK_KEY_DIR'];
  if (process.platform === 'win32') return join(env['APPDATA'] ?? join(homedir(), 'AppData', 'Roaming'), 'TAP Kiosk', 'audit-keys');
  if (process.platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'TAP Kiosk', 'audit-keys');
  return join(env['XDG_CONFIG_HOME'] ?? join(homedir(), '.config'), 'tap-kiosk', 'audit-keys');
}

let factory: (folder: string) => StationKeyring = (folder) => fileKeyring({ dir: defaultKeyDir(), folder });

/** The host's choice of keyring (Electron: the sealed one), used wherever none is passed. */
export function useKeyring(make: (folder: string) => StationKeyring): void {
  factory = make;
}

export const keyringFor = (folder: string): StationKeyring => factory(folder);
