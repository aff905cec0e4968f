/**
 * The one handler table that implements common/contract.ts. Transport-agnostic: Electron IPC (main/index.ts)
 * and the dev/test web harness (test/harness/) both call `handle` with whatever arrived and push what
 * `subscribe` delivers. No electron import.
 *
 * - Every request is validated once, here, against `kioskRequestSchema`; anything else is answered
 *   `invalid-request` (never a throw, never an echo of the input's values).
 * - Commands go to the enrollment session (`session.send`); queries read the state or the audit journal. The
 *   journal's queries (`today`, `exportCsv`) are refused `operator-required` unless an operator is signed in
 *   and the station is unlocked (`operatorAtWork`, common/contract.ts).
 * - The state stream merges the session's snapshots with the station's status and emits on every change.
 *
 * The pass: only the session snapshot's `handover` screen carries it (in `state` replies and the stream). No
 * other reply is built from the snapshot, and error messages name paths and codes only.
 */
import {
  kioskRequestSchema,
  operatorAtWork,
  type KioskErrorCode,
  type KioskQuery,
  type KioskReply,
  type KioskState,
  type StationStatus,
  TODAY_COLUMNS,
  type AuditCsvRow,
  type TodayRow,
} from '../../common/contract';
import { enrollmentRows, exportCsv, localDay, records } from '../audit';
import type { SessionSnapshot } from '../../common/session';
import type { JournalHealthCode } from '../../common/codes';
import type { EventCommand } from '../../common/event';
import { eventReply, type EventIpcPort } from './event';

/** What the handler table needs of the EnrollmentSession (main/enrollment/session.ts has it). */
export interface SessionPort {
  send(command: unknown): { ok: true } | { ok: false; error: string };
  subscribe(listener: (snapshot: SessionSnapshot) => void): () => void;
  snapshot(): SessionSnapshot | null;
}

/** The station's own status (main/station/status.ts). */
export interface StationStatusSource {
  current(): StationStatus;
  /** Every change from now on; returns the unsubscribe function. */
  subscribe(listener: (status: StationStatus) => void): () => void;
}

export interface KioskHandlerOptions {
  /** null when there is no session (the configuration could not be loaded): commands are answered `not-now`. */
  session: SessionPort | null;
  station: StationStatusSource;
  /** Where this station's journal lives; null without a configuration. */
  audit: { folder: string; stationId: string } | null;
  /** The open journal's probe (audit/journal.ts), for `checkJournal`; absent without a journal. */
  journal?: { probe(): Promise<JournalHealthCode> } | null;
  /** Event mode (main/event/ EventMode); absent without an event: its queries and commands are answered `not-now`. */
  event?: EventIpcPort | null;
  /** For the default day of `today` / `exportCsv` (local time). Default Date.now. */
  now?: () => number;
}

export interface KioskHandlers {
  handle(raw: unknown): Promise<KioskReply>;
  /** Every state from now on (not the current one: ask `state()` or the `state` query). Returns the unsubscribe. */
  subscribe(listener: (state: KioskState) => void): () => void;
  state(): KioskState;
  /** Detaches from the session and the station status. */
  dispose(): void;
}

const refuse = (code: KioskErrorCode, message: string): KioskReply => ({ ok: false, error: { code, message } });

/** The columns of an audit CSV row that the "Today" screen receives. */
export function toTodayRow(row: Readonly<AuditCsvRow>): TodayRow {
  return Object.fromEntries(TODAY_COLUMNS.map((c) => [c, row[c]])) as TodayRow;
}

export function csvFileName(stationId: string, day: string): string {
  return `tap-kiosk-${stationId}-${day}.csv`;
}

export function createKioskHandlers(options: KioskHandlerOptions): KioskHandlers {
  const { session, station, audit } = options;
  const now = options.now ?? Date.now;
  const listeners = new Set<(state: KioskState) => void>();
  let current: KioskState = { station: station.current(), session: session?.snapshot() ?? null };

  const emit = (next: KioskState) => {
    current = next;
    for (const listener of [...listeners]) {
      try {
        listener(next);
      } catch (error) {
        console.error('[ipc] a state listener failed:', error instanceof Error ? error.message : String(error));
      }
    }
  };
  const offSession = session?.subscribe((snapshot) => emit({ station: current.station, session: snapshot }));
  const offStation = station.subscribe((status) => emit({ station: status, session: current.session }));

  const query = async (q: KioskQuery): Promise<KioskReply> => {
    if (q.type === 'state') return { ok: true, kind: 'state', state: current };
    if (q.type === 'checkJournal') {
      // Its health only (the status stream carries it too): nothing personal, so no operator is needed.
      if (!options.journal) return refuse('not-now', 'There is no audit journal without a configuration.');
      return { ok: true, kind: 'checkJournal', journal: await options.journal.probe() };
    }
    if (q.type === 'roster' || q.type === 'board') return eventReply(options.event, current.session, q);
    if (!audit) return refuse('not-now', 'There is no audit journal without a configuration.');
    // Names, object ids, operators and ID documents: only for an operator at work, never on a locked or signed-out station.
    if (!operatorAtWork(current.session))
      return refuse('operator-required', 'The journal is shown only while an operator is signed in and the station is unlocked.');
    const day = q.day ?? localDay(new Date(now()));
    try {
      if (q.type === 'today') {
        const rows = enrollmentRows(await records(audit.folder, day, audit.stationId)).map(toTodayRow);
        return { ok: true, kind: 'today', day, rows };
      }
      const csv = await exportCsv(audit.folder, day, audit.stationId);
      return { ok: true, kind: 'exportCsv', day, fileName: csvFileName(audit.stationId, day), csv };
    } catch (error) {
      return refuse('failed', `The audit journal could not be read: ${error instanceof Error ? error.message : String(error)}`);
    }
  };

  return {
    async handle(raw) {
      const parsed = kioskRequestSchema.safeParse(raw);
      if (!parsed.success) {
        // Paths and codes only: the input's values (a pasted pass, say) never come back.
        const where = parsed.error.issues.map((i) => `${i.path.join('.') || '(request)'}: ${i.code}`).join('; ');
        return refuse('invalid-request', `Not a request this station understands (${where}).`);
      }
      const request = parsed.data;
      if (request.kind === 'query') return query(request.query);
      if (request.kind === 'event') return eventReply(options.event, current.session, request.command satisfies EventCommand);
      if (!session) return refuse('not-now', 'The station is not ready: its configuration could not be loaded.');
      const result = session.send(request.command);
      return result.ok ? { ok: true, kind: 'command' } : refuse('not-now', result.error);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    state: () => current,
    dispose() {
      offSession?.();
      offStation();
      listeners.clear();
    },
  };
}
