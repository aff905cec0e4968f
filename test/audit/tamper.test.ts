// The three attacks of issue 12 by someone who can write the journal folder but does not have the station's key.
// Each passed `verify` before the records were keyed and the head anchored outside the folder.
import { readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { auditEvents as e, fileKeyring, verify, type StationKeyring, type VerifyResult } from '../../main/audit';
import { encodeHead } from '../../main/audit/folder';
import { encodeRecord, genesisHash, type AuditRecord } from '../../main/audit/record';
import { STATION, appendAll, enrollment, journalFiles, open, operator, steppingClock, tempFolder } from './helpers';

let folder: string;
let keys: { folder: string; cleanup: () => void };
let keyring: StationKeyring;
let cleanup: () => void;
beforeEach(() => {
  ({ folder, cleanup } = tempFolder());
  keys = tempFolder();
  keyring = fileKeyring({ dir: keys.folder, folder });
});
afterEach(() => {
  cleanup();
  keys.cleanup();
});

function problem(result: VerifyResult) {
  expect(result.ok).toBe(false);
  if (result.ok) throw new Error('unreachable');
  return result.problem;
}

async function writeJournal(): Promise<string> {
  const journal = await open(folder, { now: steppingClock().now, keyring });
  await journal.append(e.operatorSignedIn({ operator, roles: [] }));
  await appendAll(journal, enrollment().events);
  await appendAll(journal, enrollment({ outcome: 'cancelled' }).events);
  await journal.close();
  expect(await verify(folder, { keyring })).toMatchObject({ ok: true });
  const [file = ''] = journalFiles(folder);
  return file;
}

const readRecords = (file: string): AuditRecord[] =>
  readFileSync(file, 'utf8')
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line) as AuditRecord);

/** What an attacker can do: rewrite the records from a chosen one on, re-hashing the chain (with a key of their own). */
function rewrite(file: string, records: AuditRecord[], attackerKey: Buffer): void {
  let prev: string | undefined;
  const lines = records.map((record) => {
    const { hash: _h, mac: _m, ...body } = record;
    const { line, hash } = encodeRecord({ ...body, prev: prev ?? body.prev }, attackerKey);
    prev = hash;
    return line;
  });
  writeFileSync(file, lines.join(''));
  const last = records.at(-1);
  if (last && prev)
    writeFileSync(join(folder, `${STATION}.head.json`), encodeHead({ station: STATION, seq: last.seq, hash: prev, file: file.split('/').at(-1) ?? '' }));
}

describe('a rewrite of the journal folder without the station key is reported', () => {
  it('(a) cutting the last records and rewriting the head: truncated', async () => {
    const file = await writeJournal();
    const records = readRecords(file);
    const kept = records.slice(0, -3);
    writeFileSync(file, kept.map((r) => `${JSON.stringify(r)}\n`).join(''));
    const last = kept.at(-1);
    if (!last) throw new Error('no records');
    writeFileSync(join(folder, `${STATION}.head.json`), encodeHead({ station: STATION, seq: last.seq, hash: last.hash, file: file.split('/').at(-1) ?? '' }));
    const found = problem(await verify(folder, { keyring }));
    expect(found).toMatchObject({ kind: 'truncated', seq: last.seq });
    expect(found.message).toContain(`anchored seq ${records.at(-1)?.seq ?? 0} outside the folder`);
  });

  it('(b) editing an identity record and re-hashing everything after it: forged', async () => {
    const file = await writeJournal();
    const records = readRecords(file);
    const at = records.findIndex((r) => r.event.type === 'identity.checked');
    const edited = records.map((r, i) =>
      i === at && r.event.type === 'identity.checked' ? { ...r, event: { ...r.event, document: 'known-personally' as const } } : r,
    );
    rewrite(file, edited, randomBytes(32));
    expect(problem(await verify(folder, { keyring }))).toMatchObject({ kind: 'forged', file, line: 1 });
    // Keeping the untouched records' macs does not help: the first rewritten one is named.
    const lines = readFileSync(file, 'utf8').split('\n');
    writeFileSync(
      file,
      records
        .slice(0, at)
        .map((r) => `${JSON.stringify(r)}\n`)
        .join('') + lines.slice(at).join('\n'),
    );
    expect(problem(await verify(folder, { keyring }))).toMatchObject({ kind: 'forged', file, line: at + 1, seq: at + 1 });
  });

  it('(c) deleting every file, the head included: truncated, naming the station', async () => {
    await writeJournal();
    for (const name of readdirSync(folder)) rmSync(join(folder, name));
    const found = problem(await verify(folder, { keyring }));
    expect(found).toMatchObject({ kind: 'truncated', station: STATION, seq: 0 });
    expect(found.message).toContain('every journal file is gone');
    // Also when verify is told which station to expect (the CLI passes the configured one).
    expect(problem(await verify(folder, { keyring, stations: [STATION] }))).toMatchObject({ kind: 'truncated' });
  });

  it('a journal started afresh in the emptied folder still shows the gap', async () => {
    await writeJournal();
    for (const name of readdirSync(folder)) rmSync(join(folder, name));
    const journal = await open(folder, { keyring });
    expect(journal.repairs.map((r) => r.kind)).toEqual(['head-ahead-of-files']);
    await journal.close();
    expect((await verify(folder, { keyring })).ok).toBe(false);
  });

  it("records planted from scratch with a computable genesis are not the station's", async () => {
    await writeJournal();
    for (const name of readdirSync(folder)) rmSync(join(folder, name));
    const { line } = encodeRecord(
      {
        v: 2,
        seq: 1,
        ts: new Date().toISOString(),
        station: STATION,
        prev: genesisHash(STATION, '2026-03-02'),
        event: e.operatorSignedIn({ operator: { ...operator, upn: 'someone@contoso.com' }, roles: [] }),
      },
      randomBytes(32),
    );
    writeFileSync(join(folder, `${STATION}-2026-03-02.jsonl`), line);
    expect(problem(await verify(folder, { keyring }))).toMatchObject({ kind: 'forged', line: 1 });
  });

  it('without the station key nothing verifies (key-missing), with it everything does', async () => {
    await writeJournal();
    const other = tempFolder();
    try {
      expect(problem(await verify(folder, { keyring: fileKeyring({ dir: other.folder, folder }) }))).toMatchObject({ kind: 'key-missing' });
    } finally {
      other.cleanup();
    }
  });
});
