/**
 * The writer: one per station, appends one line per event and resolves only once the line is on disk.
 *
 * Files: `<folder>/<station>-YYYY-MM-DD.jsonl`, one per local day, the chain running on from one file to the
 * next. A day never goes backwards: if the clock is set back past midnight, records keep going to the newest
 * file, so file order and chain order always agree.
 *
 * Durability: each append writes the whole line with O_APPEND, then fdatasync; a new file also syncs its
 * folder. Only then is the head file (`<station>.head.json`: last seq and hash, fixed 512 bytes rewritten in
 * place) updated, and then `append()` resolves. The head is left to the OS to flush: it never leads the
 * journal; after a process crash it may lag by one record, after a power loss by a few.
 *
 * One writer: appends are serialized in-process (a promise queue), and across processes by an OS-level lock held
 * for the life of the process (lock.ts): a listening local socket named after the folder and station (a named
 * pipe on Windows, an abstract socket on Linux). The OS frees it when the process ends, however it ends, so
 * there is no stale lock after a power loss, no PID to be reused, and of two processes starting at once exactly
 * one gets it. `<station>.lock` beside the journal only says who holds it (pid, host, since), for the message.
 * The lock is taken before the station key is read or created. A failed write marks the journal broken:
 * nothing more is appended after a possibly half-written line until it is reopened (which repairs it).
 *
 * Keyed: every record carries a mac under the station's key, and after the head the same seq and hash are
 * anchored in the station's key store outside the folder (keys.ts), so a rewrite without the key, a cut and a
 * deletion are all caught by `verify`.
 *
 * Opening repairs by appending, never by rewriting: a half-written last line (power loss mid-write) is
 * terminated and a `journal.repaired` record naming it (line, length, SHA-256) follows; a missing head, or a
 * head that disagrees with the files, is recorded the same way, so the evidence stays in the chain.
 */
import { mkdir, open, readFile, writeFile, type FileHandle } from 'node:fs/promises';
import { constants } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { parseEvent, type AuditEvent, type EventOf } from './events';
import { encodeHead, listJournal, readHead, readLines, type Head, type JournalFile } from './folder';
import {
  FORMAT_VERSION,
  decodeLine,
  encodeRecord,
  genesisHash,
  headFileName,
  journalFileName,
  localDay,
  lockFileName,
  sha256,
  type AuditRecord,
} from './record';
import { RedactionGuard } from './redaction';
import { takeWriterLock, type WriterLock } from './lock';

export { JournalLockedError } from './lock';
import { anchorIsGenuine, keyringFor, makeAnchor, type StationKeyStore, type StationKeyring } from './keys';

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

export type RepairEvent = EventOf<'journal.repaired'>;

interface State {
  seq: number;
  hash: string | undefined;
  day: string | undefined;
  file: FileHandle | undefined;
  fileName: string | undefined;
}

export class Journal {
  readonly #folder: string;
  readonly #station: string;
  readonly #now: () => Date;
  readonly #head: FileHandle;
  readonly #lock: WriterLock;
  readonly #key: Buffer;
  readonly #keys: StationKeyStore;
  #state: State;
  #queue: Promise<unknown> = Promise.resolve();
  #broken: JournalBrokenError | undefined;
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
      await writeHead(this.#head, { station: this.#station, seq, hash, file: state.fileName ?? '' });
      await this.#keys.writeAnchor(makeAnchor(this.#key, this.#station, seq, hash));
    } catch (error) {
      this.#broken = new JournalBrokenError(error);
      this.#tell(error);
      throw this.#broken;
    }
    state.seq = seq;
    state.hash = hash;
    this.#tell(null);
    return { ...body, hash, mac };
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
    const anchor = await keyStore.readAnchor();
    const files = (await listJournal(folder)).get(station) ?? [];
    const found = await lastRecord(files);
    const headRead = await readHead(folder, station);
    const lastFile = files.at(-1);
    const tail = lastFile ? (await readLines(lastFile.path)).tail : undefined;

    state = {
      seq: found?.record.seq ?? 0,
      hash: found?.record.hash,
      day: lastFile?.day,
      file: undefined,
      fileName: lastFile?.name,
    };
    const repairs: RepairEvent[] = [];
    const inFile = lastFile?.name ?? journalFileName(station, localDay((options.now ?? (() => new Date()))()));
    if (lastFile && tail !== undefined) {
      state.file = await open(lastFile.path, 'a');
      await writeAll(state.file, '\n');
      await state.file.datasync();
      const lines = (await readLines(lastFile.path)).lines.length;
      const whole = decodeLine(tail);
      if (whole.kind === 'record' && whole.record.seq === state.seq + 1 && (state.seq === 0 || whole.record.prev === state.hash)) {
        // Only the newline was missing: the record is whole and now properly ended.
        state.seq = whole.record.seq;
        state.hash = whole.record.hash;
      } else {
        // Half a record: leave it, end it, and say so in the next record (line, length, digest).
        repairs.push({
          type: 'journal.repaired',
          kind: 'torn-line',
          file: lastFile.name,
          line: lines,
          bytes: Buffer.byteLength(tail, 'utf8'),
          sha256: sha256(tail),
        });
      }
    }
    if (anchor && anchorIsGenuine(key, station, anchor) && anchor.seq > state.seq && (headRead.kind !== 'ok' || headRead.head.seq < anchor.seq)) {
      // The anchor outside the folder knows of records that are gone (cut, or every file deleted, head and all).
      repairs.push({ type: 'journal.repaired', kind: 'head-ahead-of-files', file: inFile, headSeq: anchor.seq });
      state.seq = anchor.seq;
      state.hash = anchor.hash;
    } else if (headRead.kind !== 'ok') {
      // A head created but never written (no records yet) is nothing to report.
      if (state.seq > 0) repairs.push({ type: 'journal.repaired', kind: 'head-missing', file: inFile });
    } else {
      const head: Head = headRead.head;
      if (head.seq > state.seq) {
        // Acknowledged records are gone. Continue the chain from the head so the gap stays visible.
        repairs.push({ type: 'journal.repaired', kind: 'head-ahead-of-files', file: inFile, headSeq: head.seq });
        state.seq = head.seq;
        state.hash = head.hash;
      } else if (head.seq === state.seq && head.hash !== state.hash) {
        repairs.push({ type: 'journal.repaired', kind: 'head-mismatch', file: inFile, headSeq: head.seq });
      } else if (head.seq < state.seq - 1) {
        repairs.push({ type: 'journal.repaired', kind: 'head-behind-files', file: inFile, headSeq: head.seq });
      }
    }
    headHandle = await open(join(folder, headFileName(station)), constants.O_RDWR | constants.O_CREAT, FILE_MODE);
    const journal = new Journal(
      { folder, stationId: station, now: options.now ?? (() => new Date()), guard: options.guard ?? new RedactionGuard() },
      headHandle,
      lock,
      state,
      { store: keyStore, key },
    );
    for (const repair of repairs) await journal.repair(repair);
    if (repairs.length === 0 && state.hash && (headRead.kind !== 'ok' || headRead.head.seq !== state.seq)) {
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

/** The newest record whose own hash checks out, searching back through the files. */
async function lastRecord(files: JournalFile[]): Promise<{ record: AuditRecord; file: JournalFile } | undefined> {
  for (const file of [...files].reverse()) {
    const { lines } = await readLines(file.path);
    for (const line of [...lines].reverse()) {
      const decoded = decodeLine(line);
      if (decoded.kind === 'record') return { record: decoded.record, file };
    }
  }
  return undefined;
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

async function writeAll(file: FileHandle, text: string): Promise<void> {
  const buffer = Buffer.from(text, 'utf8');
  let offset = 0;
  while (offset < buffer.length) {
    const { bytesWritten } = await file.write(buffer, offset, buffer.length - offset);
    offset += bytesWritten;
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
