import { readFileSync, renameSync, rmSync, truncateSync, writeFileSync, appendFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { auditEvents as e, pendingTaps, records, verify, type VerifyResult } from '../../main/audit';
import { encodeRecord, sha256, type AuditRecord } from '../../main/audit/record';
import { STATION, appendAll, enrollment, journalFiles, open, operator, stationKey, steppingClock, tempFolder } from './helpers';

let folder: string;
let cleanup: () => void;
beforeEach(() => ({ folder, cleanup } = tempFolder()));
afterEach(() => cleanup());

const signIn = e.operatorSignedIn({ operator, roles: [] });

/** A small journal: `perDay` records on each of `days` consecutive days. */
async function writeJournal(days = 1, perDay = 4): Promise<string[]> {
  const clock = steppingClock();
  const journal = await open(folder, { now: clock.now });
  for (let d = 0; d < days; d += 1) {
    for (let i = 0; i < perDay; i += 1) await journal.append(signIn);
    clock.jump(24 * 3600 * 1000);
  }
  await journal.close();
  return journalFiles(folder);
}

function problem(result: VerifyResult) {
  expect(result.ok).toBe(false);
  if (result.ok) throw new Error('unreachable');
  return result.problem;
}

const lineOfByte = (text: string, index: number) => text.slice(0, index).split('\n').length;

describe('verify', () => {
  it('an untouched journal verifies', async () => {
    await writeJournal(3, 3);
    expect(await verify(folder)).toMatchObject({ ok: true, stations: [{ station: STATION, files: 3, records: 9, lastSeq: 9 }], notes: [] });
  });

  it('an empty folder verifies', async () => {
    expect(await verify(folder)).toEqual({ ok: true, stations: [], notes: [] });
  });

  it('catches every single-byte edit and names the file and the line', async () => {
    const [file = ''] = await writeJournal(1, 3);
    const original = readFileSync(file);
    const text = original.toString('utf8');
    for (let index = 0; index < original.length; index += 1) {
      const edited = Buffer.from(original);
      edited[index] = (edited[index] ?? 0) ^ 0x01;
      writeFileSync(file, edited);
      const found = problem(await verify(folder));
      expect(found.file, `byte ${index}`).toBe(file);
      expect(found.line, `byte ${index}`).toBe(lineOfByte(text, index));
      expect(['edited', 'not-a-record', 'forged'], `byte ${index}`).toContain(found.kind);
      expect(found.message).toContain(`${file} line ${found.line}`);
    }
  });

  it('catches a random byte replaced by any other value', async () => {
    const [file = ''] = await writeJournal(1, 3);
    const original = readFileSync(file);
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: original.length - 1 }), fc.integer({ min: 1, max: 255 }), async (index, delta) => {
        const edited = Buffer.from(original);
        edited[index] = ((edited[index] ?? 0) + delta) % 256;
        writeFileSync(file, edited);
        const found = problem(await verify(folder));
        expect(found.file).toBe(file);
        expect(found.repairable).toBe(false);
      }),
      { numRuns: 150 },
    );
  });

  it('catches any deleted line', async () => {
    const [file = ''] = await writeJournal(1, 5);
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    for (let drop = 0; drop < lines.length; drop += 1) {
      writeFileSync(file, `${lines.filter((_, i) => i !== drop).join('\n')}\n`);
      const found = problem(await verify(folder));
      if (drop === lines.length - 1) {
        expect(found).toMatchObject({ kind: 'truncated', file });
        expect(found.message).toContain('the station had written up to seq 5');
      } else {
        expect(found, `dropping line ${drop + 1}`).toMatchObject({ kind: 'deleted', file, line: drop + 1 });
        expect(found.message).toContain(`record ${drop + 1} is missing`);
      }
    }
  });

  it('catches any two lines swapped', async () => {
    const [file = ''] = await writeJournal(1, 5);
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    for (let i = 0; i + 1 < lines.length; i += 1) {
      const swapped = [...lines];
      [swapped[i], swapped[i + 1]] = [lines[i + 1] ?? '', lines[i] ?? ''];
      writeFileSync(file, `${swapped.join('\n')}\n`);
      expect(problem(await verify(folder)), `swapping lines ${i + 1} and ${i + 2}`).toMatchObject({ kind: 'reordered', file, line: i + 1 });
    }
  });

  it('catches truncation at any byte, and never mistakes it for a crash', async () => {
    const [file = ''] = await writeJournal(1, 3);
    const original = readFileSync(file);
    for (let size = 0; size < original.length; size += 1) {
      writeFileSync(file, original.subarray(0, size));
      const found = problem(await verify(folder));
      expect(found.kind, `cut at ${size}`).toBe('truncated');
      expect(found.file).toBe(file);
      expect(found.repairable).toBe(false);
    }
  });

  it('catches a record changed and re-hashed, in the middle and at the end', async () => {
    const [file = ''] = await writeJournal(1, 4);
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    // With the station's key (the key's holder can re-sign; the chain and head still give the edit away)...
    const key = await stationKey(folder);
    const forge = (line: string, withKey: Buffer): string => {
      const record = JSON.parse(line) as AuditRecord;
      const { hash: _old, mac: _mac, ...body } = { ...record, event: { ...record.event, roles: ['Global Administrator'] } } as AuditRecord;
      return encodeRecord(body, withKey).line.trimEnd();
    };
    writeFileSync(file, `${lines.map((l, i) => (i === 1 ? forge(l, key) : l)).join('\n')}\n`);
    expect(problem(await verify(folder))).toMatchObject({ kind: 'edited', file, line: 2, seq: 2 });
    writeFileSync(file, `${lines.map((l, i) => (i === 3 ? forge(l, key) : l)).join('\n')}\n`);
    const last = problem(await verify(folder));
    expect(last).toMatchObject({ kind: 'edited', file, seq: 4 });
    expect(last.message).toContain('disagrees with the head file: the record was changed and re-hashed, or the head file was edited');
    // ...and without it: the record itself is reported as not the station's.
    writeFileSync(file, `${lines.map((l, i) => (i === 3 ? forge(l, randomBytes(32)) : l)).join('\n')}\n`);
    expect(problem(await verify(folder))).toMatchObject({ kind: 'forged', file, line: 4, seq: 4 });
  });

  it('names a missing day file, a missing first file, and a missing newest file', async () => {
    const files = await writeJournal(3, 2);
    const [day1 = '', day2 = '', day3 = ''] = files;
    const saved = readFileSync(day2);
    rmSync(day2);
    const middle = problem(await verify(folder));
    expect(middle).toMatchObject({ kind: 'missing-file', file: day3, line: 1 });
    expect(middle.message).toContain(`records 3-4 are missing after ${basename(day1)} line 2`);
    writeFileSync(day2, saved);

    renameSync(day1, `${day1}.bak`);
    expect(problem(await verify(folder))).toMatchObject({ kind: 'deleted', file: day2, line: 1 });
    renameSync(`${day1}.bak`, day1);

    rmSync(day3);
    expect(problem(await verify(folder))).toMatchObject({ kind: 'truncated', seq: 4 });
    rmSync(day2);
    rmSync(day1);
    const none = problem(await verify(folder));
    expect(none).toMatchObject({ kind: 'truncated', seq: 0, file: day3 });
    expect(none.message).toContain('the journal ends at seq 0 (no records), but the station had written up to seq 6');
  });

  it('reports a missing head file, and the kiosk records that it recreated it', async () => {
    await writeJournal(1, 2);
    rmSync(join(folder, `${STATION}.head.json`));
    expect(problem(await verify(folder))).toMatchObject({ kind: 'head-missing' });
    const journal = await open(folder);
    expect(journal.repairs.map((r) => r.kind)).toEqual(['head-missing']);
    await journal.close();
    const result = await verify(folder);
    expect(result.ok).toBe(true);
    expect(result.notes.join('\n')).toMatch(/head file missing and recreated/);
  });
});

describe('a torn final line (crash mid-write)', () => {
  /** The first `cut` bytes of the record the writer would have written next. */
  async function nextRecordPrefix(file: string, cut: number): Promise<string> {
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    const last = JSON.parse(lines.at(-1) ?? '') as AuditRecord;
    const { line } = encodeRecord(
      { v: 2, seq: last.seq + 1, ts: new Date().toISOString(), station: STATION, prev: last.hash, event: signIn },
      await stationKey(folder),
    );
    return line.slice(0, cut);
  }

  it('is reported as torn and repairable at any cut point, not as tampering', async () => {
    const [file = ''] = await writeJournal(1, 3);
    const original = readFileSync(file);
    const full = (await nextRecordPrefix(file, 10_000)).trimEnd();
    for (const cut of [1, 5, 12, 30, 80, 150, full.length - 70, full.length - 2, full.length - 1]) {
      writeFileSync(file, Buffer.concat([original, Buffer.from(full.slice(0, cut))]));
      const found = problem(await verify(folder));
      expect(found, `cut at ${cut}`).toMatchObject({ kind: 'torn-final-line', file, line: 4, seq: 4, repairable: true });
      expect(found.message).toContain('cut off mid-write');
    }
  });

  it('a whole record missing only its newline is torn if it was never acknowledged, and just ended on restart', async () => {
    const [file = ''] = await writeJournal(1, 2);
    const whole = (await nextRecordPrefix(file, 10_000)).trimEnd();
    appendFileSync(file, whole);
    expect(problem(await verify(folder))).toMatchObject({ kind: 'torn-final-line', line: 3, repairable: true });
    const journal = await open(folder);
    expect(journal.repairs).toEqual([]);
    expect(journal.lastSeq).toBe(3);
    await journal.close();
    expect(readFileSync(file, 'utf8').endsWith(`${whole}\n`)).toBe(true);
    expect(await verify(folder)).toMatchObject({ ok: true, stations: [{ records: 3 }] });
  });

  it('garbage after the last line is tampering, not a crash', async () => {
    const [file = ''] = await writeJournal(1, 2);
    appendFileSync(file, '{"v":2,"seq":3,"ts":"2026-03-02T09:00:00.000Z","station":"ENROLL-01","prev":"00000000');
    expect(problem(await verify(folder))).toMatchObject({ kind: 'edited', line: 3 });
    writeFileSync(file, readFileSync(file, 'utf8').replace(/"ts":"2026-03-02T09:00:00.000Z","station":"ENROLL-01","prev":"00000000$/, ''));
    appendFileSync(file, 'rm -rf /');
    expect(problem(await verify(folder))).toMatchObject({ kind: 'edited' });
  });

  it('the kiosk repairs it on the next start by appending, and the journal then verifies', async () => {
    const [file = ''] = await writeJournal(1, 3);
    const tail = await nextRecordPrefix(file, 57);
    appendFileSync(file, tail);
    const journal = await open(folder, { now: steppingClock(new Date(2026, 2, 2, 18, 0, 0)).now });
    expect(journal.repairs).toEqual([{ type: 'journal.repaired', kind: 'torn-line', file: basename(file), line: 4, bytes: 57, sha256: sha256(tail) }]);
    await journal.append(signIn);
    await journal.close();
    const text = readFileSync(file, 'utf8');
    expect(text).toContain(`${tail}\n`); // nothing was rewritten, only appended
    const result = await verify(folder);
    expect(result).toMatchObject({ ok: true, stations: [{ records: 5, lastSeq: 5 }] });
    expect(result.notes).toEqual([`${file} line 4: a line cut off by a crash was closed and recorded by the kiosk`]);
    expect((await records(folder, '2026-03-02')).map((r) => r.event.type)).toEqual([
      'operator.signed-in',
      'operator.signed-in',
      'operator.signed-in',
      'journal.repaired',
      'operator.signed-in',
    ]);
  });

  it('after a repair, removing the torn line is still caught', async () => {
    const [file = ''] = await writeJournal(1, 2);
    appendFileSync(file, await nextRecordPrefix(file, 40));
    await (await open(folder)).close();
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    writeFileSync(file, `${lines.filter((_, i) => i !== 2).join('\n')}\n`);
    expect(problem(await verify(folder))).toMatchObject({ kind: 'deleted', line: 3 });
  });

  it('a truncated journal stays flagged after the kiosk restarts', async () => {
    const [file = ''] = await writeJournal(1, 4);
    const lines = readFileSync(file, 'utf8').split('\n');
    writeFileSync(file, `${lines.slice(0, 2).join('\n')}\n`);
    const journal = await open(folder);
    expect(journal.repairs.map((r) => r.kind)).toEqual(['head-ahead-of-files']);
    await journal.append(signIn);
    await journal.close();
    expect(problem(await verify(folder))).toMatchObject({ kind: 'deleted', file, line: 3 });
  });
});

describe('pendingTaps', () => {
  it('lists TAPs with an intent or issued record and no deletion', async () => {
    const journal = await open(folder);
    const done = enrollment();
    await appendAll(journal, done.events); // registered and deleted
    const cancelled = enrollment({ outcome: 'cancelled' });
    await appendAll(journal, cancelled.events);
    const issued = enrollment();
    await appendAll(journal, issued.events.slice(0, 6)); // crashed after "issued"
    const intentOnly = enrollment();
    await appendAll(journal, intentOnly.events.slice(0, 5)); // crashed between intent and the POST's answer
    const failing = enrollment();
    await appendAll(journal, failing.events.slice(0, 9)); // DELETE failed once, still pending
    const refused = enrollment();
    await appendAll(journal, refused.events.slice(0, 5));
    await journal.append(
      e.tapNotCreated({
        enrollmentId: refused.enrollmentId,
        intentId: refused.intentId,
        user: refused.events[1]?.type === 'identity.checked' ? refused.events[1].user : operator,
        reason: 'graph-refused',
      }),
    );
    await journal.close();

    const pending = await pendingTaps(folder);
    expect(pending.map((p) => [p.intentId, p.state])).toEqual([
      [issued.intentId, 'issued'],
      [intentOnly.intentId, 'intent'],
      [failing.intentId, 'delete-failed'],
    ]);
    expect(pending[1]?.tapMethodId).toBeUndefined();
    expect(pending[2]).toMatchObject({ deleteAttempts: 1, lastFailure: { status: 503, code: 'serviceUnavailable' } });
    expect(await pendingTaps(folder, 'OTHER-STATION')).toEqual([]);
  });

  it('carries the TAP an intent was to replace, and clears an intent the issuer reconciled after a lost answer', async () => {
    const journal = await open(folder);
    const user = { id: '00000000-0000-4000-8000-000000000016', upn: 'johanna.lorenz@contoso.com' };
    const replacing = crypto.randomUUID();
    const old = '5d6f0c41-7f3b-4c7e-9f43-0b6f5b1f2a10';
    await journal.append(
      e.tapIntent({ enrollmentId: crypto.randomUUID(), intentId: replacing, operator, user, lifetimeMinutes: 10, oneTime: true, replacesTapMethodId: old }),
    );
    const lostAndFound = crypto.randomUUID();
    await journal.append(e.tapIntent({ intentId: lostAndFound, enrollmentId: crypto.randomUUID(), operator, user, lifetimeMinutes: 10, oneTime: true }));
    await journal.append(e.tapDeleted({ intentId: lostAndFound, user, tapMethodId: 'e7b1c1c0-0d4e-4a0e-8a39-6a4f5c0b9e21', reason: 'reconciliation' }));
    const lostNone = crypto.randomUUID();
    await journal.append(e.tapIntent({ intentId: lostNone, enrollmentId: crypto.randomUUID(), operator, user, lifetimeMinutes: 10, oneTime: true }));
    await journal.append(e.tapNotCreated({ intentId: lostNone, user, reason: 'none-found-at-reconciliation' }));
    await journal.close();

    const pending = await pendingTaps(folder);
    expect(pending).toHaveLength(1);
    expect(pending[0]).toMatchObject({ intentId: replacing, state: 'intent', replacesTapMethodId: old });
    expect(() => e.tapNotCreated({ intentId: lostNone, user, reason: 'lost' as 'graph-refused' })).toThrow();
  });

  it('still finds a pending TAP when the journal was tampered with', async () => {
    const journal = await open(folder);
    const issued = enrollment();
    await appendAll(journal, issued.events.slice(0, 6));
    await journal.close();
    const [file = ''] = journalFiles(folder);
    writeFileSync(file, readFileSync(file, 'utf8').replace('"results":1', '"results":7'));
    expect((await verify(folder)).ok).toBe(false);
    expect((await pendingTaps(folder)).map((p) => p.intentId)).toEqual([issued.intentId]);
  });

  it('ignores a torn final line', async () => {
    const [file = ''] = await writeJournal(1, 1);
    truncateSync(file, readFileSync(file).length - 5);
    expect(await pendingTaps(folder)).toEqual([]);
  });
});
