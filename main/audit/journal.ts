/**
 * The writer: one per station, appends one line per event and resolves only once the line is on disk.
 *
 * Files: `<folder>/<station>-YYYY-MM-DD.jsonl`, one per local day, the chain running on from one file to the
 * next. A day never goes backwards: if the clock is set back past midnight, records keep going to the newest
 * file, so file order and chain order always agree.
 *
 * Durability: each append writes the whole line with O_APPEND, then fdatasync; a new file also syncs its
 * folder. Only then are the head file (`<station>.head.json`: last seq and hash, fixed 512 bytes rewritten in
 * place) and the anchor (below) updated, side by side, and then `append()` resolves. The head is left to the OS to flush: it never leads the
 * journal; after a process crash it may lag by one record, after a power loss by a few.
 *
 * One writer: appends are serialized in-process (a promise queue), and across processes by an OS-level lock held
 * for the life of the process (lock.ts): a listening local socket named after the folder and station (a named
 * pipe on Windows, an abstract socket on Linux). The OS frees it when the process ends, however it ends, so
 * there is no stale lock after a power loss, no PID to be reused, and of two processes starting at once exactly
 * one gets it. `<station>.lock` beside the journal only says who holds it (pid, host, since), for the message.
 * The lock is taken before the station key is read or created. A failed write (disk full, folder read-only, a
 * write error, the lock lost) marks the journal broken: nothing more is appended after a possibly half-written
 * line. `probe()` resumes it without a restart once the cause is gone: the files are read again (tail.ts), a torn
 * line is repaired as at opening, a `journal.repaired` record of kind `resumed` says since when the journal could
 * not be written (records of that time are missing, not invented later: nothing is buffered in memory), and
 * appends are accepted again. On a healthy journal `probe()` proves the folder and key store still take a write
 * (a scratch file written, synced and removed; the head and anchor rewritten as they are), so a full disk is
 * found before anything is spent, not by the record after the pass exists.
 *
 * Keyed: every record carries a mac under the station's key, and after the head the same seq and hash are
 * anchored in the station's key store outside the folder (keys.ts), so a rewrite without the key, a cut and a
 * deletion are all caught by `verify`.
 *
 * Opening repairs by appending, never by rewriting: a half-written last line (power loss mid-write) is
 * terminated and a `journal.repaired` record naming it (line, length, SHA-256) follows; a missing head, or a
 * head that disagrees with the files, is recorded the same way, so the evidence stays in the chain.
 */
import { mkdir, open, readFile, unlink, writeFile, type FileHandle } from 'node:fs/promises';
import { constants } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { JournalHealthCode } from '../../common/codes';
import { parseEvent, type AuditEvent } from './events';
import { encodeHead, type Head } from './folder';
import { journalHealthOf } from './health';
import { FORMAT_VERSION, encodeRecord, genesisHash, headFileName, journalFileName, localDay, lockFileName, type AuditRecord } from './record';
import { RedactionGuard } from './redaction';
import { takeWriterLock, type WriterLock } from './lock';
import { readTail, writeAll, type ChainState, type RepairEvent } from './tail';
import { keyringFor, makeAnchor, type StationKeyStore, type StationKeyring } from './keys';

export { JournalLockedError } from './lock';
export type { RepairEvent } from './tail';

const FILE_MODE = 0o640;

export interface JournalOptions {
  folder: string;
  stationId: string;
  /** The clock; tests move it across midnight. */
  now?: () => Date;
  /** Shared with the TAP lifecycle, which tells it each pass as soon as Graph returns one. */
  guard?: RedactionGuard;
  /** Where the station's key and the anchored head live (outside the folder). Default: `keyringFor(folder)`. */
  keyring?: StationKeyring;
}

export class JournalBrokenError extends Error {
  override readonly name = 'JournalBrokenError';
  constructor(override readonly cause: unknown) {
    super(`audit journal could not be written and must be reopened: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
}

/** The OS lock of the journal was lost (its socket closed): another process could write. */
export class JournalLockLostError extends Error {
  override readonly name = 'JournalLockLostError';
  constructor() {
    super('the audit journal’s single-writer lock was lost');
  }
}

type State = ChainState;
/** One file-system block: a probe that cannot write this much would not fit a record either. */
const PROBE_BYTES = Buffer.alloc(4096, 0x20);

export class Journal {
  readonly #folder: string;
  readonly #station: string;
  readonly #now: () => Date;
  readonly #head: FileHandle;
  #lock: WriterLock;
  readonly #key: Buffer;
  readonly #keys: StationKeyStore;
  #state: State;
  #queue: Promise<unknown> = Promise.resolve();
  #broken: JournalBrokenError | undefined;
  /** When the first write failed (the `resumed` record names it). */
  #brokenSince: Date | undefined;
  #closed = false;
  readonly #outcomes = new Set<(error: unknown) => void>();
  /** What opening found and recorded (torn line, missing or disagreeing head). Empty on a clean start. */
  readonly repairs: RepairEvent[] = [];
  readonly guard: RedactionGuard;

  /** @internal use `openJournal` */
  constructor(
    options: Required<Omit<JournalOptions, 'keyring'>>,
    head: FileHandle,
    lock: WriterLock,
    state: State,
    keys: { store: StationKeyStore; key: Buffer },
  ) {
    this.#keys = keys.store;
    this.#key = keys.key;
    this.#folder = options.folder;
    this.#station = options.stationId;
    this.#now = options.now;
    this.guard = options.guard;
    this.#head = head;
    this.#lock = lock;
    this.#state = state;
  }

  get station(): string {
    return this.#station;
  }

  get lastSeq(): number {
    return this.#state.seq;
  }

  /**
   * Validate, chain, write and fsync one event; resolves with the record once it is on disk. Rejects with
   * `AuditEventError` (bad event), `RedactionError` (contains a pass) — neither writes anything — or
   * `JournalBrokenError` (disk trouble; the journal accepts nothing more until reopened).
   */
  append(event: AuditEvent): Promise<AuditRecord> {
    const run = this.#queue.then(() => this.#write(event));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Calls `listener` after every write that reached the disk or failed there: null on success, else the file
   * system's error (the station status shows the journal's health from it). Returns the unsubscribe function.
   */
  onWriteOutcome(listener: (error: unknown) => void): () => void {
    this.#outcomes.add(listener);
    return () => {
      this.#outcomes.delete(listener);
    };
  }

  #tell(error: unknown): void {
    for (const listener of [...this.#outcomes]) listener(error);
  }

  /** Wait for pending appends, release the lock. */
  async close(): Promise<void> {
    if (this.#closed) return;
    await this.#queue;
    this.#closed = true;
    await this.#state.file?.close();
    await this.#head.close();
    await this.#lock.release();
  }

  async #write(input: AuditEvent, intoCurrentFile = false): Promise<AuditRecord> {
    if (this.#closed) throw new Error('audit journal is closed');
    if (this.#broken) throw this.#broken;
    if (!this.#lock.held()) this.#fail(new JournalLockLostError());
    const event = parseEvent(input);
    const now = this.#now();
    const state = this.#state;
    const today = localDay(now);
    const day = intoCurrentFile && state.day ? state.day : state.day && state.day > today ? state.day : today;
    const seq = state.seq + 1;
    const body = {
      v: FORMAT_VERSION,
      seq,
      ts: now.toISOString(),
      station: this.#station,
      prev: state.hash ?? genesisHash(this.#station, day),
      event,
    } as const;
    const { line, hash, mac } = encodeRecord(body, this.#key);
    this.guard.check(line);
    try {
      let created = false;
      if (state.day !== day || !state.file) {
        await state.file?.close();
        state.file = undefined;
        const name = journalFileName(this.#station, day);
        const path = join(this.#folder, name);
        created = !(await exists(path));
        state.file = await open(path, 'a', FILE_MODE);
        state.day = day;
        state.fileName = name;
      }
      await writeAll(state.file, line);
      await state.file.datasync();
      if (created) await syncFolder(this.#folder);
      // Head and anchor at once: each only follows the synced line, neither reads the other (tail.ts), so their
      // order does not matter; both are written before append() resolves and before the next record.
      await settleBoth(
        writeHead(this.#head, { station: this.#station, seq, hash, file: state.fileName ?? '' }),
        this.#keys.writeAnchor(makeAnchor(this.#key, this.#station, seq, hash)),
      );
    } catch (error) {
      this.#fail(error);
    }
    state.seq = seq;
    state.hash = hash;
    this.#tell(null);
    return { ...body, hash, mac };
  }

  #fail(error: unknown): never {
    this.#broken = new JournalBrokenError(error);
    this.#brokenSince ??= this.#now();
    this.#tell(error);
    throw this.#broken;
  }

  /** Whether appends are refused until a `probe()` succeeds. */
  get broken(): boolean {
    return this.#broken !== undefined;
  }

  /**
   * Can the journal be written now? A broken journal is resumed (see the header), a healthy one proves a write.
   * Queued behind pending appends; resolves with the health and never rejects; tells the outcome listeners.
   */
  probe(): Promise<JournalHealthCode> {
    const run = this.#queue.then(() => this.#probe());
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #probe(): Promise<JournalHealthCode> {
    if (this.#closed) return 'unwritable';
    try {
      if (!this.#lock.held()) {
        this.#broken ??= new JournalBrokenError(new JournalLockLostError());
        this.#lock = await takeWriterLock(this.#folder, this.#station, () => readLock(join(this.#folder, lockFileName(this.#station))));
      }
      if (this.#broken) await this.#resume();
      else await this.#scratch();
    } catch (error) {
      if (!this.#broken) {
        this.#broken = new JournalBrokenError(error);
        this.#brokenSince ??= this.#now();
      }
      this.#tell(error);
      return journalHealthOf(error);
    }
    this.#tell(null);
    return 'ok';
  }

  /** Read the chain again from disk and carry on from it; the outage goes into the chain as a `resumed` record. */
  async #resume(): Promise<void> {
    await this.#scratchFile(); // not the head nor the anchor: the files decide where the chain stands
    await this.#state.file?.close().catch(() => undefined);
    this.#state.file = undefined;
    const tail = await readTail({ folder: this.#folder, station: this.#station, key: this.#key, anchor: await this.#keys.readAnchor(), now: this.#now });
    this.#state = tail.state;
    const since = this.#brokenSince;
    this.#broken = undefined;
    for (const repair of tail.repairs) await this.repair(repair);
    await this.repair({
      type: 'journal.repaired',
      kind: 'resumed',
      file: this.#state.fileName ?? journalFileName(this.#station, localDay(this.#now())),
      ...(since ? { since: since.toISOString() } : {}),
    });
    this.#brokenSince = undefined;
  }

  /** A block written, synced and removed beside the journal; the head and anchor rewritten unchanged. */
  async #scratch(): Promise<void> {
    await this.#scratchFile();
    const { seq, hash, fileName } = this.#state;
    if (hash === undefined) return;
    await writeHead(this.#head, { station: this.#station, seq, hash, file: fileName ?? '' });
    await this.#keys.writeAnchor(makeAnchor(this.#key, this.#station, seq, hash));
  }

  async #scratchFile(): Promise<void> {
    const path = join(this.#folder, `${this.#station}.probe`);
    const file = await open(path, 'w', FILE_MODE);
    try {
      await writeAll(file, PROBE_BYTES);
      await file.datasync();
    } finally {
      await file.close();
    }
    await unlink(path);
  }

  /** @internal: opening's repairs go into the file where the trouble is. */
  async repair(event: RepairEvent): Promise<void> {
    const record = await this.#write(event, true);
    if (record.event.type === 'journal.repaired') this.repairs.push(record.event);
  }
}

/** Open (or start) the station's journal, take the single-writer lock, and repair what a crash left. */
export async function openJournal(options: JournalOptions): Promise<Journal> {
  const folder = options.folder;
  const station = options.stationId;
  // The journal names people: owner and group only (ignored on Windows, where the folder's ACL decides).
  await mkdir(folder, { recursive: true, mode: 0o750 });
  const lockPath = join(folder, lockFileName(station));
  const lock = await takeWriterLock(folder, station, () => readLock(lockPath));
  let state: State | undefined;
  let headHandle: FileHandle | undefined;
  try {
    await writeFile(lockPath, JSON.stringify({ pid: process.pid, host: hostname(), since: new Date().toISOString() }), { mode: FILE_MODE });
    const keyStore = (options.keyring ?? keyringFor(folder)).store(station);
    const key = await keyStore.getOrCreateKey();
    const now = options.now ?? (() => new Date());
    const tail = await readTail({ folder, station, key, anchor: await keyStore.readAnchor(), now });
    state = tail.state;
    const { repairs } = tail;
    headHandle = await open(join(folder, headFileName(station)), constants.O_RDWR | constants.O_CREAT, FILE_MODE);
    const journal = new Journal({ folder, stationId: station, now, guard: options.guard ?? new RedactionGuard() }, headHandle, lock, state, {
      store: keyStore,
      key,
    });
    for (const repair of repairs) await journal.repair(repair);
    if (tail.headLags && state.hash) {
      // The head lagged by the one record a crash can leave unacknowledged: bring it level.
      await writeHead(headHandle, { station, seq: state.seq, hash: state.hash, file: state.fileName ?? '' });
      await keyStore.writeAnchor(makeAnchor(key, station, state.seq, state.hash));
    }
    return journal;
  } catch (error) {
    await state?.file?.close().catch(() => undefined);
    await headHandle?.close().catch(() => undefined);
    await lock.release();
    throw error;
  }
}

/** Who holds the lock, as its holder wrote it (for the refusal's message only). */
async function readLock(path: string): Promise<{ pid: number; host: string } | undefined> {
  try {
    const parsed: unknown = JSON.parse(await readFile(path, 'utf8'));
    if (typeof parsed === 'object' && parsed !== null) {
      const { pid, host } = parsed as { pid?: unknown; host?: unknown };
      if (typeof pid === 'number' && typeof host === 'string') return { pid, host };
    }
  } catch {
    // empty or half-written: its writer died between create and write
  }
  return undefined;
}

async function exists(path: string): Promise<boolean> {
  try {
    await (await open(path, 'r')).close();
    return true;
  } catch {
    return false;
  }
}

/**
 * Rewrite the head in place (one aligned 512-byte write). Not synced: the journal line it points to already
 * is, so after a power loss the head can only be older than the journal, never ahead of it, and that is all
 * truncation detection needs. This keeps an append at one fsync.
 */
async function writeHead(file: FileHandle, head: Head): Promise<void> {
  const buffer = encodeHead(head);
  await file.write(buffer, 0, buffer.length, 0);
}

/** Both writes run to their end; the first failure (if any) is thrown once both have. */
async function settleBoth(a: Promise<void>, b: Promise<void>): Promise<void> {
  const [ra, rb] = await Promise.allSettled([a, b]);
  if (ra.status === 'rejected') throw ra.reason;
  if (rb.status === 'rejected') throw rb.reason;
}

/** Make a new file's directory entry durable. Not possible (nor needed) on Windows. */
async function syncFolder(folder: string): Promise<void> {
  if (process.platform === 'win32') return;
  const handle = await open(folder, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
