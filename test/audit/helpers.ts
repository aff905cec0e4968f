import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { auditEvents as e, keyringFor, openJournal, type AuditEvent, type Journal, type JournalOptions } from '../../main/audit';

export const STATION = 'ENROLL-01';

export function tempFolder(): { folder: string; cleanup: () => void } {
  const folder = mkdtempSync(join(tmpdir(), 'tap-kiosk-audit-'));
  return { folder, cleanup: () => rmSync(folder, { recursive: true, force: true }) };
}

/** A clock the test moves: starts at 2026-03-02 09:00 local time, one second per call. */
export function steppingClock(start = new Date(2026, 2, 2, 9, 0, 0)): { now: () => Date; jump: (ms: number) => void } {
  let t = start.getTime();
  return {
    now: () => {
      t += 1000;
      return new Date(t);
    },
    jump: (ms: number) => {
      t += ms;
    },
  };
}

export async function open(folder: string, options: Partial<JournalOptions> = {}): Promise<Journal> {
  return openJournal({ folder, stationId: STATION, ...options });
}

export const operator = { id: '11111111-2222-4333-8444-555555555555', upn: 'operator@contoso.com' };
export const person = { id: 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee', upn: 'anna.muster@contoso.com' };
export const AAGUID = 'ee882879-721c-4913-9775-3dfcce97072a';

/** One whole enrollment, every kind of record, as the TAP lifecycle would write it. */
export function enrollment(options: { pass?: string; user?: typeof person; op?: typeof operator; outcome?: 'registered' | 'cancelled' } = {}): {
  events: AuditEvent[];
  intentId: string;
  enrollmentId: string;
} {
  const enrollmentId = randomUUID();
  const intentId = randomUUID();
  const tapMethodId = randomUUID();
  const user = options.user ?? person;
  const op = options.op ?? operator;
  const graphResponse = {
    '@odata.type': '#microsoft.graph.temporaryAccessPassAuthenticationMethod',
    id: tapMethodId,
    temporaryAccessPass: options.pass ?? '+drkzqAD',
    createdDateTime: '2026-03-02T09:00:05Z',
    startDateTime: '2026-03-02T09:00:05Z',
    lifetimeInMinutes: 60,
    isUsableOnce: true,
    isUsable: true,
    methodUsabilityReason: 'EnabledByPolicy',
  };
  const events: AuditEvent[] = [
    e.lookup({ enrollmentId, operator: op, queryKind: 'upn', results: 1 }),
    e.identityChecked({ enrollmentId, operator: op, user, document: 'passport' }),
    e.keyDetected({ enrollmentId, aaguid: AAGUID, model: 'YubiKey 5 NFC' }),
    e.preflight({ enrollmentId, user, verdict: 'go', failedChecks: [], lifetimeMinutes: 60, oneTime: true }),
    e.tapIntent({ enrollmentId, intentId, operator: op, user, lifetimeMinutes: 60, oneTime: true }),
    e.tapIssued({ enrollmentId, intentId, user, method: graphResponse, requestId: randomUUID() }),
  ];
  if (options.outcome === 'cancelled') {
    events.push(e.tapDeleted({ enrollmentId, intentId, user, tapMethodId, reason: 'cancelled' }), e.sessionWiped({ enrollmentId, reason: 'cancelled' }));
  } else {
    events.push(
      e.signinObserved({ enrollmentId, user, via: 'tap-used' }),
      e.keyRegistered({ enrollmentId, user, methodId: 'Vl6TnnE2GUG1sVlKdXlqgw2', aaguid: AAGUID, model: 'YubiKey 5 NFC', stationKey: true }),
      e.tapDeleteFailed({ enrollmentId, intentId, user, tapMethodId, attempt: 1, status: 503, code: 'serviceUnavailable', requestId: randomUUID() }),
      e.tapDeleted({ enrollmentId, intentId, user, tapMethodId, reason: 'completed' }),
      e.sessionWiped({ enrollmentId, reason: 'completed' }),
    );
  }
  return { events, intentId, enrollmentId };
}

export async function appendAll(journal: Journal, events: AuditEvent[]): Promise<void> {
  for (const event of events) await journal.append(event);
}

export function journalFiles(folder: string): string[] {
  return readdirSync(folder)
    .filter((n) => n.endsWith('.jsonl'))
    .sort()
    .map((n) => join(folder, n));
}

/** Everything under the folder, as one string, for "never on disk" checks. */
export function everythingOnDisk(folder: string): string {
  return readdirSync(folder)
    .map((n) => readFileSync(join(folder, n), 'utf8'))
    .join('\n');
}

/** The station's key as the journal uses it (the test keyring, TAP_KIOSK_KEY_DIR). */
export async function stationKey(folder: string, station = STATION): Promise<Buffer> {
  const key = await keyringFor(folder).store(station).readKey();
  if (!key) throw new Error(`no key for ${station}`);
  return key;
}
