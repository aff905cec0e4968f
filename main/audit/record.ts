/**
 * One journal line: the envelope the journal adds around an event, how it is hashed, and how files are named.
 *
 * A line is `{"v":2,"seq":N,"ts":"…","station":"…","prev":"<hex>","event":{…},"hash":"<hex>","mac":"<hex>"}` + "\n",
 * where `hash` = SHA-256 of the line's bytes up to and excluding `,"hash":…` (closed with `}`), `prev` is the
 * previous record's `hash`, and `mac` = HMAC-SHA-256 of the hash under the station's key (keys.ts). The hash
 * chain alone can be recomputed by anyone who can write the folder; the mac cannot without the key. The very first record of a station links to a genesis value derived from the
 * station and the day of its first file, so an empty journal and a deleted first file are distinguishable.
 * The chain runs on across days: the first record of a day links to the last record of the previous file.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { auditEventSchema } from './events';

export const FORMAT_VERSION = 2;

const hex64 = z.string().regex(/^[0-9a-f]{64}$/);

export const auditRecordSchema = z.strictObject({
  v: z.literal(FORMAT_VERSION),
  seq: z.int().min(1),
  ts: z.iso.datetime(),
  station: z.string().min(1),
  prev: hex64,
  event: auditEventSchema,
  hash: hex64,
  mac: hex64,
});

export type AuditRecord = z.output<typeof auditRecordSchema>;

export const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

/** The chain's anchor for a station whose first file is for `day`. */
export const genesisHash = (station: string, day: string): string => sha256(`tap-kiosk audit genesis\n${station}\n${day}`);

/** The record's mac: the station key's HMAC-SHA-256 over the record's hash (which covers `prev`, so the chain). */
export const recordMac = (key: Buffer, hash: string): string => createHmac('sha256', key).update(`tap-kiosk audit record\n${hash}`, 'utf8').digest('hex');

export function sameHex(a: string, b: string): boolean {
  return a.length === b.length && timingSafeEqual(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** Serialize a record (without hash and mac) into the exact line that goes to disk, newline included. */
export function encodeRecord(body: Omit<AuditRecord, 'hash' | 'mac'>, key: Buffer): { line: string; hash: string; mac: string } {
  // Key order is fixed here, so the same record always hashes the same.
  const json = JSON.stringify({ v: body.v, seq: body.seq, ts: body.ts, station: body.station, prev: body.prev, event: body.event });
  const hash = sha256(json);
  const mac = recordMac(key, hash);
  return { line: `${json.slice(0, -1)},"hash":"${hash}","mac":"${mac}"}\n`, hash, mac };
}

const TRAILER = /^(\{.*),"hash":"([0-9a-f]{64})","mac":"([0-9a-f]{64})"\}$/s;

export type Decoded =
  | { kind: 'record'; record: AuditRecord }
  /** The bytes do not hash to the stored hash: changed after it was written. */
  | { kind: 'hash-mismatch'; seq?: number }
  /** Hash and chain may be fine, but the mac is not the station key's: written or re-hashed without the key. */
  | { kind: 'forged'; seq?: number; record: AuditRecord }
  /** Not a record at all (damaged, half-written, or not JSON). */
  | { kind: 'garbage' }
  /** Hash fine but the content does not fit the schema (written by something else). */
  | { kind: 'invalid'; seq?: number; fields: string[] };

/**
 * Decode one line (without its newline). With the station's `key`, a record whose mac is not the key's is
 * `forged`; without it, only the unkeyed hash is checked (enough for display, never for trust).
 */
export function decodeLine(line: string, key?: Buffer): Decoded {
  const match = TRAILER.exec(line);
  if (!match) return { kind: 'garbage' };
  const body = `${match[1]}}`;
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return { kind: 'garbage' };
  }
  const seq = typeof parsed === 'object' && parsed !== null ? (parsed as { seq?: unknown }).seq : undefined;
  const seqNumber = typeof seq === 'number' ? seq : undefined;
  if (sha256(body) !== match[2]) return { kind: 'hash-mismatch', seq: seqNumber };
  const result = auditRecordSchema.safeParse(parsed);
  if (!result.success) return { kind: 'invalid', seq: seqNumber, fields: result.error.issues.map((i) => i.path.join('.')) };
  if (key && !sameHex(recordMac(key, result.data.hash), result.data.mac)) return { kind: 'forged', seq: seqNumber, record: result.data };
  return { kind: 'record', record: result.data };
}

/** Whether `line` ends with the complete hash trailer: anything after it is not a half-written record. */
export const hasTrailer = (line: string): boolean => /,"hash":"[0-9a-f]{64}","mac":"[0-9a-f]{64}"\}/.test(line);

const FILE = /^(?<station>[A-Za-z0-9][A-Za-z0-9._-]{0,63})-(?<day>\d{4}-\d{2}-\d{2})\.jsonl$/;

export const journalFileName = (station: string, day: string): string => `${station}-${day}.jsonl`;
export const headFileName = (station: string): string => `${station}.head.json`;
export const lockFileName = (station: string): string => `${station}.lock`;

export function parseJournalFileName(name: string): { station: string; day: string } | undefined {
  const groups = FILE.exec(name)?.groups;
  return groups?.['station'] && groups['day'] ? { station: groups['station'], day: groups['day'] } : undefined;
}

/** The station's local calendar day: what "today" means to the people at the desk. */
export function localDay(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

export const DAY = /^\d{4}-\d{2}-\d{2}$/;
