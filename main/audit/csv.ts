/**
 * A day's report as CSV: one row per enrollment (records sharing an `enrollmentId`), for people who open it
 * in a spreadsheet. RFC 4180 quoting (CRLF rows; a cell with a comma, quote or line break is quoted, quotes
 * doubled), and spreadsheet formula injection defused: a cell starting with = + - @ tab or CR gets a leading
 * apostrophe (OWASP's advice), so a display name like `=HYPERLINK(...)` stays text.
 */
import { AUDIT_CSV_COLUMNS, type AuditCsvRow, type EnrollmentOutcome } from '../../common/contract';
import type { AuditRecord } from './record';
import { records } from './read';

type Row = AuditCsvRow;

/** The CSV text of one day (local date, YYYY-MM-DD), all stations in the folder or one. */
export async function exportCsv(folder: string, day: string, stationId?: string): Promise<string> {
  return toCsv(enrollmentRows(await records(folder, day, stationId)));
}

/** One row per enrollment, in the order they started. */
export function enrollmentRows(all: readonly AuditRecord[]): Row[] {
  const rows = new Map<string, Row & { _failed: boolean; _refused: boolean; _end: EnrollmentOutcome | '' }>();
  for (const record of all) {
    const event = record.event;
    const id = 'enrollmentId' in event ? event.enrollmentId : undefined;
    if (!id) continue;
    let row = rows.get(`${record.station}/${id}`);
    if (!row) {
      row = {
        ...(Object.fromEntries(AUDIT_CSV_COLUMNS.map((c) => [c, ''])) as Row),
        station: record.station,
        enrollment: id,
        started: record.ts,
        _failed: false,
        _refused: false,
        _end: '',
      };
      rows.set(`${record.station}/${id}`, row);
    }
    row.finished = record.ts;
    if ('operator' in event && event.operator && !row.operator) row.operator = event.operator.upn;
    if ('user' in event) {
      row.user = event.user.upn;
      row.user_id = event.user.id;
    }
    switch (event.type) {
      case 'identity.checked':
        row.id_document = event.document;
        break;
      case 'preflight':
        row._refused = event.verdict === 'refused';
        break;
      case 'tap.issued':
        row.tap_issued = record.ts;
        row.tap_deleted = 'no';
        break;
      case 'signin.observed':
        if (!row.signed_in) row.signed_in = record.ts;
        break;
      case 'key.detected':
        if (!row.key_registered) {
          row.key_model = event.model;
          row.aaguid = event.aaguid;
        }
        break;
      case 'key.registered':
      case 'key.provisioned':
        row.key_registered = record.ts;
        row.key_model = event.model;
        row.aaguid = event.aaguid;
        break;
      case 'tap.deleted':
        row.tap_deleted = record.ts;
        if (event.reason === 'cancelled') row._end = 'cancelled';
        if (event.reason === 'window-expired' || event.reason === 'lifetime-expired') row._end = 'timed out';
        break;
      case 'tap.delete-failed':
        row.tap_deleted = 'pending';
        break;
      case 'session.wiped':
        if (event.reason === 'cancelled') row._end = 'cancelled';
        if (event.reason === 'timed-out') row._end = 'timed out';
        break;
      case 'failure':
        row._failed = true;
        if (event.requestId) row.graph_request_ids = [row.graph_request_ids, event.requestId].filter(Boolean).join(' ');
        break;
      default:
        break;
    }
  }
  return [...rows.values()].map(({ _failed, _refused, _end, ...row }) => {
    const outcome: EnrollmentOutcome = row.key_registered ? 'registered' : _refused ? 'refused at pre-flight' : _end || (_failed ? 'failed' : 'incomplete');
    return { ...row, outcome };
  });
}

export function toCsv(rows: readonly Row[]): string {
  const lines = [AUDIT_CSV_COLUMNS.join(','), ...rows.map((row) => AUDIT_CSV_COLUMNS.map((column) => csvCell(row[column])).join(','))];
  return `${lines.join('\r\n')}\r\n`;
}

/** One cell: formula injection defused, then quoted if it needs to be. */
export function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]|^\s|\s$/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
