/**
 * Reading the journal for the app: a day's records (the "Today" screen, the CSV) and the TAPs that may still
 * exist at Microsoft (crash recovery).
 *
 * `records` reads every line that is a well-formed record and skips the rest (a torn line, a damaged one): it
 * serves the display, and whether the journal is intact is `verify`'s question.
 *
 * `pendingTaps` drives crash recovery, which DELETES passes at Microsoft: it acts only on records signed with the
 * station's key (record.ts `mac`, keys.ts). Anything else that looks like a TAP record (a planted `tap.intent`,
 * an edited one, one whose hash no longer matches) is returned as `rejected`, for an administrator, never acted on.
 */
import { listJournal, readLines } from './folder';
import { DAY, decodeLine, type AuditRecord } from './record';
import type { EventOf } from './events';
import { keyringFor, type StationKeyring } from './keys';

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
export async function pendingTaps(folder: string, stationId?: string, keyring?: StationKeyring): Promise<PendingTap[]> {
  return (await checkedPendingTaps(folder, stationId, keyring)).pending;
}

/** A line recovery refused to act on: it is not a record signed with the station's key. */
export interface RejectedRecord {
  station: string;
  file: string;
  line: number;
  seq?: number;
  /** forged: a well-formed record without the station key's mac; edited: its hash no longer matches; no-key: this
   *  machine has no key for the station; damaged: not a record at all. */
  reason: 'forged' | 'edited' | 'no-key' | 'damaged';
  /** The event type the line claims, when it can be read. */
  type?: string;
}

/** `pendingTaps` plus every line it refused (only lines that mention a TAP, or that cannot be read at all). */
export async function checkedPendingTaps(
  folder: string,
  stationId?: string,
  keyring: StationKeyring = keyringFor(folder),
): Promise<{ pending: PendingTap[]; rejected: RejectedRecord[] }> {
  const pending = new Map<string, PendingTap>();
  const rejected = await scanSigned(folder, stationId, keyring, 'tap.', (station, record) => apply(pending, station, record));
  return { pending: [...pending.values()], rejected };
}

/** An event-mode claim this station may still hold at Graph (claim.intent or claim.made, not refused or released). */
export interface PendingClaim {
  claimId: string;
  station: string;
  user: { id: string; upn: string };
  claimGroupId: string;
  /** 'intent': the add may or may not have reached Graph; 'made': Graph said it did. */
  state: 'intent' | 'made';
  intentAt: string;
}

/** Claims journalled and not settled, acted on only when signed with the station's key (like `checkedPendingTaps`). */
export async function checkedPendingClaims(
  folder: string,
  stationId: string,
  keyring: StationKeyring = keyringFor(folder),
): Promise<{ pending: PendingClaim[]; rejected: RejectedRecord[] }> {
  const pending = new Map<string, PendingClaim>();
  const rejected = await scanSigned(folder, stationId, keyring, 'claim.', (station, record) => {
    const event = record.event;
    if (event.type === 'claim.intent') {
      pending.set(event.claimId, { claimId: event.claimId, station, user: event.user, claimGroupId: event.claimGroupId, state: 'intent', intentAt: record.ts });
    } else if (event.type === 'claim.made') {
      const known = pending.get(event.claimId);
      if (known) pending.set(event.claimId, { ...known, state: 'made' });
    } else if (event.type === 'claim.refused' || event.type === 'claim.released') {
      pending.delete(event.claimId);
    }
  });
  return { pending: [...pending.values()], rejected };
}

/** Every record signed with its station's key goes to `onRecord`; lines about `prefix` events that are not are returned. */
async function scanSigned(
  folder: string,
  stationId: string | undefined,
  keyring: StationKeyring,
  prefix: string,
  onRecord: (station: string, record: AuditRecord) => void,
): Promise<RejectedRecord[]> {
  const byStation = await listJournal(folder);
  const rejected: RejectedRecord[] = [];
  for (const [station, files] of byStation) {
    if (stationId !== undefined && station !== stationId) continue;
    const key = await keyring.store(station).readKey();
    for (const file of files) {
      const { lines } = await readLines(file.path);
      lines.forEach((line, index) => {
        const decoded = key ? decodeLine(line, key) : undefined;
        if (decoded?.kind === 'record') {
          onRecord(station, decoded.record);
          return;
        }
        const claimed = claimedType(line);
        if (decoded && decoded.kind === 'garbage' && claimed === undefined) {
          rejected.push({ station, file: file.path, line: index + 1, reason: 'damaged' });
          return;
        }
        if (claimed !== undefined && !claimed.startsWith(prefix)) return;
        const reason = !decoded ? 'no-key' : decoded.kind === 'forged' ? 'forged' : decoded.kind === 'hash-mismatch' ? 'edited' : 'damaged';
        rejected.push({
          station,
          file: file.path,
          line: index + 1,
          ...(decoded && 'seq' in decoded && decoded.seq !== undefined ? { seq: decoded.seq } : {}),
          reason,
          ...(claimed ? { type: claimed } : {}),
        });
      });
    }
  }
  return rejected;
}

function claimedType(line: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(line);
    const event = typeof parsed === 'object' && parsed !== null ? (parsed as { event?: unknown }).event : undefined;
    const type = typeof event === 'object' && event !== null ? (event as { type?: unknown }).type : undefined;
    return typeof type === 'string' ? type.slice(0, 60) : undefined;
  } catch {
    return undefined;
  }
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

/** Records whose (unkeyed) hash checks out: for display only. */
async function readRecords(path: string): Promise<AuditRecord[]> {
  const { lines } = await readLines(path);
  return lines.flatMap((line) => {
    const decoded = decodeLine(line);
    return decoded.kind === 'record' ? [decoded.record] : [];
  });
}
