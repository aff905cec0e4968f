/**
 * The one contract between the renderer and main: every request the renderer may make, every reply, and the
 * state stream main pushes. Main validates each incoming request against `kioskRequestSchema` (main/ipc/);
 * the renderer and the preload import only types from here (plus the schema, which the web harness reuses).
 *
 * Served two ways with the same handler table (main/ipc/handlers.ts): Electron IPC on the channels below, and
 * the dev/test web harness over a loopback WebSocket (test/harness/).
 *
 * No Node, Electron or XState types here: this file is bundled into the preload and the renderer.
 */
import { z } from 'zod';
import type { JournalHealthCode, StationNote } from './codes';
import type { EventNotice } from './event-codes';
import { eventCommandSchema, type Board, type EventModeStatus, type RosterView } from './event';
import { sessionCommandSchema, type SessionCommand, type SessionSnapshot } from './session';

export { sessionCommandSchema };
export type { SessionCommand, SessionSnapshot };

/** Renderer → main: one typed request, answered once (`ipcRenderer.invoke` / `ipcMain.handle`). */
export const COMMAND_CHANNEL = 'kiosk:command';
/** Main → renderer: the state stream (`webContents.send`). */
export const SNAPSHOT_CHANNEL = 'kiosk:snapshot';

/** Day in the station's local time, YYYY-MM-DD. */
const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);

/** Questions; they never change the enrollment session (`checkJournal` may clear the station's journal line). */
export const kioskQuerySchema = z.discriminatedUnion('type', [
  /** The current state, once (a freshly loaded renderer asks for it; later states arrive on the stream). */
  z.strictObject({ type: z.literal('state') }),
  /** This station's enrollments of one day, from the audit journal (the "Today" screen). */
  z.strictObject({ type: z.literal('today'), day: day.optional() }),
  /** The same day as CSV (the audit export), for the operator to save. */
  z.strictObject({ type: z.literal('exportCsv'), day: day.optional() }),
  /** Probe the audit journal now (the station page's "Check again"); answers its health, nothing personal. */
  z.strictObject({ type: z.literal('checkJournal') }),
  /** Event mode (common/event.ts): the roster with states, counts and who to call next; the board. */
  z.strictObject({ type: z.literal('roster') }),
  z.strictObject({ type: z.literal('board') }),
]);
export type KioskQuery = z.output<typeof kioskQuerySchema>;

export const kioskRequestSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('command'), command: sessionCommandSchema }),
  z.strictObject({ kind: z.literal('query'), query: kioskQuerySchema }),
  z.strictObject({ kind: z.literal('event'), command: eventCommandSchema }),
]);
export type KioskRequest = z.output<typeof kioskRequestSchema>;

/**
 * The audit CSV's columns, in their order (main/audit/csv.ts writes this header; one row per enrollment, every
 * cell a string, empty when not reached).
 */
export const AUDIT_CSV_COLUMNS = [
  'station',
  'enrollment',
  'operator',
  'user',
  'user_id',
  'id_document',
  'started',
  'tap_issued',
  'signed_in',
  'key_registered',
  'finished',
  'key_model',
  'aaguid',
  'tap_deleted',
  'outcome',
  'graph_request_ids',
] as const;
export type AuditCsvColumn = (typeof AUDIT_CSV_COLUMNS)[number];
export type AuditCsvRow = Record<AuditCsvColumn, string>;

/**
 * The `outcome` cell: what became of an enrollment, in the CSV's own words (a spreadsheet's reader reads them; the
 * "Today" screen translates each, `today.outcome.<outcome>`).
 */
export const ENROLLMENT_OUTCOMES = ['registered', 'refused at pre-flight', 'cancelled', 'timed out', 'failed', 'incomplete'] as const;
export type EnrollmentOutcome = (typeof ENROLLMENT_OUTCOMES)[number];
export const isEnrollmentOutcome = (value: string): value is EnrollmentOutcome => (ENROLLMENT_OUTCOMES as readonly string[]).includes(value);

/** The CSV's columns the "Today" screen does not receive: the station (its own), the user's object id, the AAGUID, the deletion. */
const NOT_ON_TODAY = ['station', 'user_id', 'aaguid', 'tap_deleted'] as const satisfies readonly AuditCsvColumn[];
export type TodayColumn = Exclude<AuditCsvColumn, (typeof NOT_ON_TODAY)[number]>;
/** The CSV's columns the "Today" screen receives, in the CSV's order. */
export const TODAY_COLUMNS: readonly TodayColumn[] = AUDIT_CSV_COLUMNS.filter((c): c is TodayColumn => !(NOT_ON_TODAY as readonly string[]).includes(c));

/** One row of the "Today" screen: those columns of the audit CSV's row. */
export type TodayRow = Pick<AuditCsvRow, TodayColumn>;

export type KioskReply =
  | { ok: true; kind: 'command' }
  | { ok: true; kind: 'state'; state: KioskState }
  | { ok: true; kind: 'today'; day: string; rows: TodayRow[] }
  | { ok: true; kind: 'exportCsv'; day: string; fileName: string; csv: string }
  | { ok: true; kind: 'checkJournal'; journal: JournalHealthCode }
  | { ok: true; kind: 'roster'; roster: RosterView }
  | { ok: true; kind: 'board'; board: Board }
  /** An event command's answer: `notice` null when done, else why not (e.g. `event.not-stale`). */
  | { ok: true; kind: 'event'; notice: EventNotice | null }
  | { ok: false; error: { code: KioskErrorCode; message: string } };

/**
 * Why a request was refused. `operator-required`: the journal's queries (`today`, `exportCsv`) name people,
 * operators and ID documents, so they answer only while an operator is signed in and the station is unlocked.
 */
export type KioskErrorCode = 'invalid-request' | 'not-now' | 'operator-required' | 'failed';

/** Screens on which no operator is at work: nobody signed in, signing in (again), locked, or stopping. */
const NO_OPERATOR_SCREENS: ReadonlySet<SessionSnapshot['screen']> = new Set(['signed-out', 'signing-in', 'locked', 'stopped']);

/**
 * An operator is signed in and the station is unlocked: the one rule for the journal's queries (main/ipc/handlers.ts)
 * and for showing the "Today" button (renderer). Clean-up on the way to locked or signed out counts as not at work.
 */
export function operatorAtWork(session: SessionSnapshot | null): boolean {
  if (!session || session.operator === null || NO_OPERATOR_SCREENS.has(session.screen)) return false;
  return !(session.screen === 'cleaning-up' && (session.why === 'locked' || session.why === 'signed-out'));
}

/** What the station itself is doing, shown on the "Station status" screen and in the header. */
export interface StationStatus {
  stationId: string;
  demo: boolean;
  /** The language the station is configured for; the operator may switch the view locally. */
  language: 'en' | 'de';
  /** What is wrong is a code (common/codes.ts STATION_NOTES); the renderer words it. */
  config: { ok: true; file: string } | { ok: false; file: string; note: StationNote };
  /** The tenant's sign-in endpoint answered (checked at start and when the operator signs in). */
  tenant: { status: 'unknown' | 'reachable' | 'unreachable'; note: StationNote | null; checkedAt: number | null };
  keyReader: { status: 'starting' | 'ok' | 'unavailable'; note: StationNote | null };
  /** The audit journal's last write; null while no journal is open (the configuration could not be loaded). */
  journal: JournalHealthCode | null;
  /** Event mode (common/event.ts); absent when the configuration names no event. */
  event?: EventModeStatus;
}

/** Everything main pushes on SNAPSHOT_CHANNEL: the renderer is a pure view of this. */
export interface KioskState {
  station: StationStatus;
  /** null until the session has started (or when the configuration could not be loaded). */
  session: SessionSnapshot | null;
}

/** What the preload exposes as `window.kiosk`, and nothing more. */
export interface KioskBridge {
  request(request: KioskRequest): Promise<KioskReply>;
  /** Calls `listener` with every state main pushes (the current one first); returns the unsubscribe function. */
  subscribe(listener: (state: KioskState) => void): () => void;
}
