import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AUDIT_CSV_COLUMNS as CSV_COLUMNS } from '../../common/contract';
import { auditEvents as e, csvCell, exportCsv } from '../../main/audit';
import { appendAll, enrollment, open, operator, person, steppingClock, tempFolder } from './helpers';

let folder: string;
let cleanup: () => void;
beforeEach(() => ({ folder, cleanup } = tempFolder()));
afterEach(() => cleanup());

/** A strict RFC 4180 reader, so the test checks what a spreadsheet would see. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i += 1;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"' && cell === '') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i += 1;
    } else {
      if (c === '"' || c === '\r' || c === '\n') throw new Error(`unquoted special character at ${i}`);
      cell += c;
    }
  }
  expect(cell).toBe('');
  expect(row).toEqual([]);
  return rows;
}

describe('CSV export of a day', () => {
  it('one row per enrollment with operator, user, times, key model and outcome', async () => {
    const clock = steppingClock();
    const journal = await open(folder, { now: clock.now });
    await journal.append(e.operatorSignedIn({ operator, roles: [] }));
    const registered = enrollment();
    await appendAll(journal, registered.events);
    const cancelled = enrollment({ outcome: 'cancelled', user: { id: 'bbbbbbbb-bbbb-4ccc-8ddd-eeeeeeeeeeee', upn: 'ben@contoso.com' } });
    await appendAll(journal, cancelled.events);
    const refused = enrollment();
    await appendAll(journal, refused.events.slice(0, 2));
    await journal.append(
      e.preflight({
        enrollmentId: refused.enrollmentId,
        user: person,
        verdict: 'refused',
        failedChecks: ['fido2-policy-disabled'],
        lifetimeMinutes: 60,
        oneTime: true,
      }),
    );
    const failed = enrollment();
    await appendAll(journal, failed.events.slice(0, 5));
    await journal.append(e.failure({ enrollmentId: failed.enrollmentId, step: 'tap.create', status: 503, requestId: 'f00d0000-1111-4222-8333-444455556666' }));
    await journal.close();

    const [header, ...rows] = parseCsv(await exportCsv(folder, '2026-03-02'));
    expect(header).toEqual([...CSV_COLUMNS]);
    const get = (row: string[] | undefined, column: (typeof CSV_COLUMNS)[number]) => row?.[CSV_COLUMNS.indexOf(column)];
    expect(rows).toHaveLength(4);
    expect(rows.map((r) => get(r, 'outcome'))).toEqual(['registered', 'cancelled', 'refused at pre-flight', 'failed']);
    const [first] = rows;
    expect(get(first, 'operator')).toBe('operator@contoso.com');
    expect(get(first, 'user')).toBe('anna.muster@contoso.com');
    expect(get(first, 'id_document')).toBe('passport');
    expect(get(first, 'key_model')).toBe('YubiKey 5 NFC');
    expect(get(first, 'started')).toMatch(/^2026-03-02T\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(Date.parse(get(first, 'key_registered') ?? '')).toBeGreaterThan(Date.parse(get(first, 'tap_issued') ?? ''));
    expect(get(first, 'tap_deleted')).toMatch(/^2026-03-02T/);
    expect(get(rows[1], 'user')).toBe('ben@contoso.com');
    expect(get(rows[3], 'graph_request_ids')).toBe('f00d0000-1111-4222-8333-444455556666');
    expect(await exportCsv(folder, '2026-03-03')).toBe(`${CSV_COLUMNS.join(',')}\r\n`);
  });

  it('quotes commas, quotes and line breaks, and defuses formulas, so a hostile name stays one text cell', async () => {
    const hostile = [
      '=HYPERLINK("https://evil.example","click")',
      '+1+2',
      '-2+3',
      '@SUM(A1:A2)',
      'Müller, Anna',
      'say "hi"',
      'two\nlines',
      'cr\r\nlf',
      ' padded ',
    ];
    const journal = await open(folder, { now: steppingClock().now });
    for (const upn of hostile) {
      const run = enrollment({ user: { id: person.id, upn }, op: { id: operator.id, upn: `op ${upn}` } });
      await appendAll(journal, run.events.slice(0, 2));
    }
    await journal.close();
    const [, ...rows] = parseCsv(await exportCsv(folder, '2026-03-02'));
    const users = rows.map((r) => r[CSV_COLUMNS.indexOf('user')]);
    expect(users).toEqual(hostile.map((u) => (/^[=+\-@]/.test(u) ? `'${u}` : u)));
    for (const row of rows) {
      expect(row).toHaveLength(CSV_COLUMNS.length);
      for (const cell of row) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
    }
  });

  it('any cell round-trips through a CSV reader and never starts a formula', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (value) => {
        const [[cell] = []] = parseCsv(`${csvCell(value)}\r\n`);
        expect(cell).toBe(/^[=+\-@\t\r]/.test(value) ? `'${value}` : value);
        expect(cell ?? '').not.toMatch(/^[=+\-@\t\r]/);
      }),
      { numRuns: 300 },
    );
  });
});
