/**
 * `verify(folder)`: walk every station's chain in the folder and report the first broken place, or ok.
 *
 * What each kind means, and how it is told apart:
 * - `edited`: a line's bytes no longer hash to its stored hash, or a record no longer links to the one
 *   before it (changed and re-hashed), or the last record disagrees with the head file.
 * - `not-a-record`: a complete line (it ends with a newline) that is not a journal record.
 * - `deleted` / `reordered`: the sequence numbers jump forward / go back inside a file (a jump whose missing
 *   number turns up later is a reordering).
 * - `missing-file`: the jump is at the start of a file: a day's file (or the first ones) was removed.
 * - `truncated`: the journal ends before the last record the writer acknowledged (the head file), or an
 *   older file ends mid-line.
 * - `torn-final-line`: the newest file ends with the beginning of the next record, which the writer never
 *   acknowledged: a crash or power loss mid-write, not tampering. Everything before it verifies; the kiosk
 *   repairs it on its next start by appending (see journal.ts), after which it verifies with a note.
 * - `head-missing`: the head file is gone, so truncation of the newest file cannot be ruled out.
 * - `forged`: a record (or the anchored head) whose mac is not the station key's: written, edited and re-hashed,
 *   or planted by someone without the key. Checked before the head and anchor, after the unkeyed hash.
 * - `key-missing`: the station has records but this machine has no key for it: nothing can be trusted.
 * Truncation is judged against the anchor in the station's key store (keys.ts) as well as the head file in the
 * folder, so cutting the journal and rewriting the head, or deleting every file, is `truncated`.
 */
import { basename, join } from 'node:path';
import { listHeads, listJournal, readHead, readLines, type HeadRead, type JournalFile } from './folder';
import { FORMAT_VERSION, decodeLine, genesisHash, hasTrailer, headFileName, sha256, type AuditRecord } from './record';
import { anchorIsGenuine, keyringFor, type StationKeyring } from './keys';

export type ProblemKind =
  'edited' | 'not-a-record' | 'deleted' | 'reordered' | 'missing-file' | 'truncated' | 'torn-final-line' | 'head-missing' | 'forged' | 'key-missing';

export interface VerifyProblem {
  kind: ProblemKind;
  station: string;
  /** The file the problem is in (full path). */
  file: string;
  /** 1-based line in that file, when the problem is at a line. */
  line?: number;
  seq?: number;
  message: string;
  /** True only for a torn final line: the kiosk fixes it by appending on its next start. */
  repairable: boolean;
}

export interface StationSummary {
  station: string;
  files: number;
  records: number;
  lastSeq: number;
}

export type VerifyResult =
  { ok: true; stations: StationSummary[]; notes: string[] } | { ok: false; problem: VerifyProblem; stations: StationSummary[]; notes: string[] };

class Broken extends Error {
  constructor(readonly problem: VerifyProblem) {
    super(problem.message);
  }
}

export interface VerifyOptions {
  /** The station keys (default: `keyringFor(folder)`, the host's keyring). */
  keyring?: StationKeyring;
  /** Check only these stations (a shared folder: the others' keys are on their own machines). They are checked
   *  even when the folder has no trace of them, so a station whose files were all deleted is reported. */
  stations?: string[];
}

/** Verify every station's journal in `folder`. Never throws for a broken journal; throws if the folder is unreadable. */
export async function verify(folder: string, options: VerifyOptions = {}): Promise<VerifyResult> {
  const byStation = await listJournal(folder);
  const keyring = options.keyring ?? keyringFor(folder);
  const found = [...byStation.keys(), ...(await listHeads(folder)), ...(await keyring.stations())];
  const stations = [...new Set(options.stations ?? found)].sort();
  const summaries: StationSummary[] = [];
  const notes: string[] = [];
  for (const station of stations) {
    try {
      summaries.push(await verifyStation(folder, station, byStation.get(station) ?? [], notes, keyring));
    } catch (error) {
      if (error instanceof Broken) return { ok: false, problem: error.problem, stations: summaries, notes };
      throw error;
    }
  }
  return { ok: true, stations: summaries, notes };
}

async function verifyStation(folder: string, station: string, files: JournalFile[], notes: string[], keyring: StationKeyring): Promise<StationSummary> {
  const head: HeadRead = await readHead(folder, station);
  const keys = keyring.store(station);
  const key = await keys.readKey();
  const anchor = await keys.readAnchor();
  const hashes = new Map<number, string>();
  const headPath = join(folder, headFileName(station));
  let expectedSeq = 1;
  let lastHash: string | undefined;
  let last: { file: JournalFile; line: number } | undefined;
  let records = 0;
  const fail = (kind: ProblemKind, file: string, line: number | undefined, seq: number | undefined, message: string): never => {
    throw new Broken({ kind, station, file, line, seq, message: `${file}${line ? ` line ${line}` : ''}: ${message}`, repairable: kind === 'torn-final-line' });
  };
  const laterSeqs = (fileIndex: number, lineIndex: number, all: Map<number, string[]>): Set<number> => {
    const seqs = new Set<number>();
    for (const [index, lines] of all) {
      if (index < fileIndex) continue;
      lines.forEach((text, i) => {
        if (index === fileIndex && i <= lineIndex) return;
        const decoded = decodeLine(text);
        if (decoded.kind === 'record') seqs.add(decoded.record.seq);
      });
    }
    return seqs;
  };

  const contents = new Map<number, string[]>();
  const tails = new Map<number, string | undefined>();
  for (const [index, file] of files.entries()) {
    const { lines, tail } = await readLines(file.path);
    contents.set(index, lines);
    tails.set(index, tail);
  }

  if (!key) {
    const first = files[0];
    if (first || anchor) {
      fail(
        'key-missing',
        first?.path ?? folder,
        undefined,
        undefined,
        `this machine has no audit key for station ${station}: the records cannot be told from forgeries (run verify where the station's key is, or pass its key store)`,
      );
    }
    return { station, files: 0, records: 0, lastSeq: 0 };
  }

  for (const [fileIndex, file] of files.entries()) {
    const lines = contents.get(fileIndex) ?? [];
    for (let i = 0; i < lines.length; i += 1) {
      const lineNo = i + 1;
      const text = lines[i] ?? '';
      const decoded = decodeLine(text, key);
      if (decoded.kind === 'garbage') {
        // Acceptable only as a torn line the writer terminated and documented right after it.
        const next = decodeLine(lines[i + 1] ?? '', key);
        const repair = next.kind === 'record' && next.record.event.type === 'journal.repaired' ? next.record.event : undefined;
        if (
          repair?.kind === 'torn-line' &&
          repair.line === lineNo &&
          repair.bytes === Buffer.byteLength(text, 'utf8') &&
          repair.sha256 === sha256(text) &&
          plausiblyTorn(text, expectedSeq, lastHash ?? genesisHash(station, file.day))
        ) {
          notes.push(`${file.path} line ${lineNo}: a line cut off by a crash was closed and recorded by the kiosk`);
          continue;
        }
        fail('not-a-record', file.path, lineNo, undefined, 'not a journal record (damaged or edited)');
      }
      if (decoded.kind === 'hash-mismatch') {
        fail(
          'edited',
          file.path,
          lineNo,
          decoded.seq,
          `record${decoded.seq ? ` seq ${decoded.seq}` : ''} was changed after it was written (its hash no longer matches)`,
        );
      }
      if (decoded.kind === 'invalid') {
        fail('not-a-record', file.path, lineNo, decoded.seq, `not a valid journal record (${decoded.fields.slice(0, 3).join(', ')})`);
      }
      if (decoded.kind === 'forged') {
        fail(
          'forged',
          file.path,
          lineNo,
          decoded.seq,
          `record${decoded.seq ? ` seq ${decoded.seq}` : ''} is not signed with the station's key: written, or changed and re-hashed, by someone without it`,
        );
      }
      if (decoded.kind !== 'record') continue;
      const record: AuditRecord = decoded.record;
      if (record.station !== station) fail('edited', file.path, lineNo, record.seq, `record names station "${record.station}", not "${station}"`);
      if (record.seq !== expectedSeq) {
        const reordered = record.seq < expectedSeq || laterSeqs(fileIndex, i, contents).has(expectedSeq);
        if (reordered) {
          fail('reordered', file.path, lineNo, record.seq, `seq ${record.seq} where seq ${expectedSeq} was expected: records are out of order or duplicated`);
        }
        const missing = record.seq - 1 === expectedSeq ? `record ${expectedSeq} is` : `records ${expectedSeq}-${record.seq - 1} are`;
        if (lineNo === 1 && last) {
          const before = `after ${basename(last.file.path)} line ${last.line}`;
          fail('missing-file', file.path, lineNo, record.seq, `${missing} missing ${before}: a day's journal file was removed`);
        }
        if (lineNo === 1) {
          fail('deleted', file.path, lineNo, record.seq, `${missing} missing before the first line: deleted, or earlier journal files were removed`);
        }
        fail('deleted', file.path, lineNo, record.seq, `${missing} missing before this line: deleted`);
      }
      const expectedPrev = lastHash ?? genesisHash(station, file.day);
      if (record.prev !== expectedPrev) {
        if (!last) {
          fail(
            'missing-file',
            file.path,
            lineNo,
            record.seq,
            `the first record does not start the station's chain: earlier journal files were removed or renamed`,
          );
        } else {
          fail(
            'edited',
            last.file.path,
            last.line,
            record.seq - 1,
            `record seq ${record.seq - 1} was changed and re-hashed (the next record, ${basename(file.path)} line ${lineNo}, no longer links to it)`,
          );
        }
      }
      const event = record.event;
      if (event.type === 'journal.repaired') {
        if (event.kind === 'torn-line' && decodeLine(lines[i - 1] ?? '').kind !== 'garbage') {
          fail('deleted', file.path, lineNo, record.seq, `records a torn line ${event.line ?? ''} that is no longer there: deleted`);
        }
        if (event.kind === 'head-ahead-of-files') {
          fail(
            'truncated',
            file.path,
            lineNo,
            record.seq,
            `the kiosk found the journal shorter than it had written (up to seq ${event.headSeq ?? '?'}) when it started`,
          );
        }
        if (event.kind === 'head-mismatch') {
          fail('edited', file.path, lineNo, record.seq, 'the kiosk found the last record changed when it started (it disagreed with the head file)');
        }
        if (event.kind === 'resumed') {
          notes.push(
            `${file.path} line ${lineNo}: the kiosk could not write the journal${event.since ? ` from ${event.since}` : ''} until this record; what happened meanwhile was not recorded`,
          );
        }
        if (event.kind === 'head-missing' || event.kind === 'head-behind-files') {
          notes.push(`${file.path} line ${lineNo}: the kiosk found the head file ${event.kind === 'head-missing' ? 'missing' : 'behind'} and recreated it`);
        }
      }
      expectedSeq = record.seq + 1;
      lastHash = record.hash;
      hashes.set(record.seq, record.hash);
      last = { file, line: lineNo };
      records += 1;
    }

    const tail = tails.get(fileIndex);
    if (tail !== undefined) {
      const lineNo = lines.length + 1;
      const newest = fileIndex === files.length - 1;
      const prev = lastHash ?? genesisHash(station, file.day);
      const whole = decodeLine(tail);
      if (whole.kind === 'record' && whole.record.seq === expectedSeq && whole.record.prev === prev) {
        // A complete record without its newline: torn if never acknowledged, else the newline was cut off.
        if (head.kind === 'ok' && head.head.seq >= expectedSeq) {
          fail('truncated', file.path, lineNo, expectedSeq, `the last line lost its end (the newline after record seq ${expectedSeq})`);
        }
        fail(
          'torn-final-line',
          file.path,
          lineNo,
          expectedSeq,
          `the last line is complete but was never acknowledged (crash before its newline); the kiosk repairs this on its next start.`,
        );
      }
      const torn = plausiblyTorn(tail, expectedSeq, prev);
      if (!torn) fail('edited', file.path, lineNo, undefined, 'the last line is damaged: neither a complete record nor the beginning of one');
      if (!newest) fail('truncated', file.path, lineNo, undefined, 'ends in the middle of a line although later files follow');
      if (head.kind === 'ok' && head.head.seq > expectedSeq - 1) {
        fail(
          'truncated',
          file.path,
          lineNo,
          head.head.seq,
          `ends in the middle of record seq ${expectedSeq}, which had been written completely (the head file says seq ${head.head.seq})`,
        );
      }
      fail(
        'torn-final-line',
        file.path,
        lineNo,
        expectedSeq,
        `the last line was cut off mid-write (crash or power loss) and was never acknowledged; everything before it verifies. The kiosk repairs this on its next start by appending.`,
      );
    }
  }

  const lastSeq = expectedSeq - 1;
  const where = last ? `${last.file.path} line ${last.line}` : 'no records';
  if (head.kind !== 'ok') {
    if (records > 0)
      fail('head-missing', headPath, undefined, undefined, `the head file is ${head.kind}; whether the newest records were removed cannot be checked`);
  } else if (head.head.seq > lastSeq) {
    const file = last?.file.path ?? join(folder, head.head.file);
    fail(
      'truncated',
      file,
      undefined,
      lastSeq,
      `the journal ends at seq ${lastSeq} (${where}), but the station had written up to seq ${head.head.seq}: the end was removed`,
    );
  } else if (head.head.seq === lastSeq && lastSeq > 0 && head.head.hash !== lastHash) {
    fail(
      'edited',
      last?.file.path ?? headPath,
      last?.line,
      lastSeq,
      `the last record (seq ${lastSeq}) disagrees with the head file: the record was changed and re-hashed, or the head file was edited`,
    );
  }
  const keyFile = `the station's key store (anchored head)`;
  if (anchor) {
    if (!anchorIsGenuine(key, station, anchor)) {
      fail(
        'forged',
        keyFile,
        undefined,
        anchor.seq,
        `the anchored head (seq ${anchor.seq}) is not signed with the station's key: the key store was tampered with`,
      );
    }
    if (anchor.seq > lastSeq) {
      fail(
        'truncated',
        last?.file.path ?? files.at(-1)?.path ?? folder,
        undefined,
        lastSeq,
        `the journal ends at seq ${lastSeq} (${where}), but the station anchored seq ${anchor.seq} outside the folder: the end was removed${files.length === 0 ? ' (every journal file is gone)' : ''}`,
      );
    }
    const atAnchor = hashes.get(anchor.seq);
    if (anchor.seq > 0 && atAnchor !== undefined && atAnchor !== anchor.hash) {
      fail(
        'edited',
        last?.file.path ?? files.at(-1)?.path ?? folder,
        undefined,
        anchor.seq,
        `record seq ${anchor.seq} disagrees with the head anchored outside the folder: the chain was rewritten`,
      );
    }
  } else if (records > 0) {
    notes.push(`${station}: no anchored head in the station's key store; truncation is judged by the head file in the folder only`);
  }
  return { station, files: files.length, records, lastSeq };
}

/** Could `tail` be the first bytes of the record that should come next? (A crash cuts a line; it does not edit it.) */
export function plausiblyTorn(tail: string, expectedSeq: number, prev: string): boolean {
  if (tail.includes('\n') || hasTrailer(tail)) return false;
  const start = `{"v":${FORMAT_VERSION},"seq":${expectedSeq},"ts":"`;
  if (tail.length <= start.length ? !start.startsWith(tail) : !tail.startsWith(start)) return false;
  const at = tail.indexOf('"prev":"');
  if (at >= 0) {
    const written = tail.slice(at + 8, at + 8 + 64);
    if (!prev.startsWith(written)) return false;
  }
  return true;
}
