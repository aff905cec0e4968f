/**
 * Where the chain stands on disk, for the writer (journal.ts) when it opens and when it resumes after a failed
 * write: the last whole record, a torn last line (ended here with a newline, reported as a repair), and how the head
 * file and the anchor outside the folder compare with the files. Repairs are only planned here; the writer appends
 * them as `journal.repaired` records.
 */
import { open, type FileHandle } from 'node:fs/promises';
import type { EventOf } from './events';
import { listJournal, readHead, readLines, type Head, type JournalFile } from './folder';
import { anchorIsGenuine, type ChainAnchor } from './keys';
import { decodeLine, journalFileName, localDay, sha256, type AuditRecord } from './record';

export type RepairEvent = EventOf<'journal.repaired'>;

/** The writer's position in the chain. */
export interface ChainState {
  seq: number;
  hash: string | undefined;
  day: string | undefined;
  file: FileHandle | undefined;
  fileName: string | undefined;
}

export interface Tail {
  state: ChainState;
  /** To append, in order, before anything else. */
  repairs: RepairEvent[];
  /** The head (and anchor) lag by the one record a crash can leave unacknowledged: bring them level. */
  headLags: boolean;
}

/** Read the station's chain as it is on disk. Ends a torn last line with a newline (the one write it makes). */
export async function readTail(o: { folder: string; station: string; key: Buffer; anchor: ChainAnchor | undefined; now: () => Date }): Promise<Tail> {
  const { folder, station, key, anchor } = o;
  const files = (await listJournal(folder)).get(station) ?? [];
  const found = await lastRecord(files);
  const headRead = await readHead(folder, station);
  const lastFile = files.at(-1);
  const tail = lastFile ? (await readLines(lastFile.path)).tail : undefined;

  const state: ChainState = {
    seq: found?.seq ?? 0,
    hash: found?.hash,
    day: lastFile?.day,
    file: undefined,
    fileName: lastFile?.name,
  };
  const repairs: RepairEvent[] = [];
  const inFile = lastFile?.name ?? journalFileName(station, localDay(o.now()));
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
  const headLags = repairs.length === 0 && state.hash !== undefined && (headRead.kind !== 'ok' || headRead.head.seq !== state.seq);
  return { state, repairs, headLags };
}

/** The newest record whose own hash checks out, searching back through the files. */
async function lastRecord(files: JournalFile[]): Promise<AuditRecord | undefined> {
  for (const file of [...files].reverse()) {
    const { lines } = await readLines(file.path);
    for (const line of [...lines].reverse()) {
      const decoded = decodeLine(line);
      if (decoded.kind === 'record') return decoded.record;
    }
  }
  return undefined;
}

export async function writeAll(file: FileHandle, text: string | Buffer): Promise<void> {
  const buffer = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  let offset = 0;
  while (offset < buffer.length) {
    const { bytesWritten } = await file.write(buffer, offset, buffer.length - offset);
    offset += bytesWritten;
  }
}
