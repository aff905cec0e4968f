/**
 * Reading the journal for the app: a day's records (the "Today" screen, the CSV) and the TAPs that may still
 * exist at Microsoft (crash recovery).
 *
 * Both read every line that is a well-formed record and skip the rest (a torn line, a damaged one):
 * they serve the station's work, and whether the journal is intact is `verify`'s question. In particular
 * crash recovery must still find and delete a TAP when the journal has been damaged, so `pendingTaps` also
 * reads well-formed records whose hash no longer matches.
 */
import { listJournal, readLines } from './folder';
import { DAY, auditRecordSchema, decodeLine, type AuditRecord } from './record';
import type { EventOf } from './events';

/** A day's records, in journal order, for one station or for all stations in the folder. */
export async function records(folder: string, day: string, stationId?: string): Promise<AuditRecord[]> {
  if (!DAY.test(day)) throw new Error(`audit day must be YYYY-MM-DD, got "${day}"`);
  const byStation = await listJournal(folder);
  const out: AuditRecord[] = [];
  for (const [station, files] of [...byStation].sort(([a], [b]) => a.localeCompare(b))) {
    if (stationId !== undefined && station !== stationId) continue;
    for (const file of files.filter((f) => f.day === day)) out.push(...(await readRecords(file.path)));
  }
  return out;
}

export interface PendingTap {
  intentId: string;
  station: string;
  enrollmentId?: string;
  user: { id: string; upn: string };
  /** 'intent': the POST may or may not have created a TAP (look for one created after `intentAt`). */
  state: 'intent' | 'issued' | 'delete-failed';
  intentAt: string;
  lifetimeMinutes: number;
  oneTime: boolean;
  /** The user's earlier TAP the POST was to replace: if it is still there, the POST did not commit. */
  replacesTapMethodId?: string;
  /** Known once Graph answered the POST. */
  tapMethodId?: string;
  issuedAt?: string;
  deleteAttempts: number;
  lastFailure?: { at: string; status?: number; code?: string; requestId?: string };
}

/**
 * TAPs with an intent or issued record and no `tap.deleted` / `tap.not-created` after it. Pass the station id
 * for crash recovery: another station's TAP in a shared folder may belong to an enrollment still running.
 */
export async function pendingTaps(folder: string, stationId?: string): Promise<PendingTap[]> {
  const byStation = await listJournal(folder);
  const pending = new Map<string, PendingTap>();
  for (const [station, files] of byStation) {
    if (stationId !== undefined && station !== stationId) continue;
    for (const file of files) {
      for (const record of await readRecords(file.path, true)) apply(pending, station, record);
    }
  }
  return [...pending.values()];
}

function apply(pending: Map<string, PendingTap>, station: string, record: AuditRecord): void {
  const event = record.event;
  switch (event.type) {
    case 'tap.intent':
      pending.set(event.intentId, {
        intentId: event.intentId,
        station,
        enrollmentId: event.enrollmentId,
        user: event.user,
        state: 'intent',
        intentAt: record.ts,
        lifetimeMinutes: event.lifetimeMinutes,
        oneTime: event.oneTime,
        ...(event.replacesTapMethodId ? { replacesTapMethodId: event.replacesTapMethodId } : {}),
        deleteAttempts: 0,
      });
      return;
    case 'tap.issued': {
      const known = pending.get(event.intentId) ?? fromIssued(station, record, event);
      pending.set(event.intentId, {
        ...known,
        state: 'issued',
        tapMethodId: event.tapMethodId,
        issuedAt: record.ts,
        lifetimeMinutes: event.lifetimeMinutes,
        oneTime: event.oneTime,
      });
      return;
    }
    case 'tap.delete-failed': {
      const known = pending.get(event.intentId);
      if (!known) return;
      pending.set(event.intentId, {
        ...known,
        state: 'delete-failed',
        tapMethodId: event.tapMethodId,
        deleteAttempts: Math.max(known.deleteAttempts, event.attempt),
        lastFailure: { at: record.ts, status: event.status, code: event.code, requestId: event.requestId },
      });
      return;
    }
    case 'tap.deleted':
    case 'tap.not-created':
      pending.delete(event.intentId);
      return;
    default:
      return;
  }
}

function fromIssued(station: string, record: AuditRecord, event: EventOf<'tap.issued'>): PendingTap {
  // An issued record whose intent is not in the folder (an older file archived): still pending.
  return {
    intentId: event.intentId,
    station,
    enrollmentId: event.enrollmentId,
    user: event.user,
    state: 'issued',
    intentAt: record.ts,
    lifetimeMinutes: event.lifetimeMinutes,
    oneTime: event.oneTime,
    deleteAttempts: 0,
  };
}

/** Records whose hash checks out; `lenient` also takes well-formed records whose hash does not. */
async function readRecords(path: string, lenient = false): Promise<AuditRecord[]> {
  const { lines } = await readLines(path);
  return lines.flatMap((line) => {
    const decoded = decodeLine(line);
    if (decoded.kind === 'record') return [decoded.record];
    if (!lenient || decoded.kind !== 'hash-mismatch') return [];
    const parsed = auditRecordSchema.safeParse(JSON.parse(line));
    return parsed.success ? [parsed.data] : [];
  });
}
