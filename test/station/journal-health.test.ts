import { readdirSync, readFileSync } from 'node:fs';
import { open as openFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { auditEvents as e, JournalBrokenError, verify, type AuditEvent, type Journal } from '../../main/audit';
import { StationStatusStore, journalHealthOf } from '../../main/station';
import type { StationStatus } from '../../common/contract';
import { open, operator, tempFolder } from '../audit/helpers';

const signIn: AuditEvent = e.operatorSignedIn({ operator, roles: ['Authentication Administrator'] });

/** The error Node's file system gives for `code` (what libuv raises on a full or read-only disk). */
const errno = (code: string, syscall = 'write') => Object.assign(new Error(`${code}: injected, ${syscall}`), { code, syscall });

let folder: string;
let cleanup: () => void;
beforeEach(() => ({ folder, cleanup } = tempFolder()));
afterEach(() => cleanup());

/** The station's wiring (main/station/index.ts): the status follows the journal's last write. */
function wired(journal: Journal): { status: StationStatusStore; seen: StationStatus['journal'][] } {
  const status = new StationStatusStore({ stationId: 'ENROLL-01', demo: true, language: 'en', config: { ok: true, file: 'config.json' } });
  const seen: StationStatus['journal'][] = [];
  status.subscribe((s) => seen.push(s.journal));
  journal.onWriteOutcome((error) => status.setJournalOutcome(error));
  return { status, seen };
}

/** Makes every FileHandle's `method` fail with `error` until restored. */
async function failFileHandle(method: 'write' | 'datasync', error: Error): Promise<() => void> {
  const probe = await openFile(join(folder, 'probe'), 'w');
  const proto = Object.getPrototypeOf(probe) as Record<'write' | 'datasync', () => Promise<unknown>>;
  await probe.close();
  const spy = vi.spyOn(proto, method).mockRejectedValue(error);
  return () => spy.mockRestore();
}

describe('journal health from the last write', () => {
  it('names a full disk, a read-only folder and anything else, also through the journal’s wrapper', () => {
    expect(journalHealthOf(errno('ENOSPC'))).toBe('full');
    expect(journalHealthOf(errno('EDQUOT'))).toBe('full');
    expect(journalHealthOf(errno('EROFS', 'open'))).toBe('read-only');
    expect(journalHealthOf(errno('EACCES', 'open'))).toBe('read-only');
    expect(journalHealthOf(errno('EPERM', 'open'))).toBe('read-only');
    expect(journalHealthOf(errno('EIO'))).toBe('unwritable');
    expect(journalHealthOf(new Error('no code'))).toBe('unwritable');
    expect(journalHealthOf(new JournalBrokenError(errno('ENOSPC')))).toBe('full');
  });

  it('a station without a journal says so (null), one with an open journal starts ok', () => {
    const status = new StationStatusStore({ stationId: 'S', demo: false, language: 'de', config: { ok: true, file: 'c.json' } });
    expect(status.current().journal).toBe('ok');
    const none = new StationStatusStore({
      stationId: 'S',
      demo: false,
      language: 'de',
      config: { ok: false, file: 'c', note: { code: 'config.invalid', params: { detail: 'x' } } },
      journal: null,
    });
    expect(none.current().journal).toBeNull();
  });

  it('ENOSPC on flush: the status says the disk is full, and the record written before is kept', async () => {
    const journal = await open(folder);
    const { status, seen } = wired(journal);
    await journal.append(signIn);
    expect(status.current().journal).toBe('ok');
    const restore = await failFileHandle('datasync', errno('ENOSPC', 'fdatasync'));
    try {
      await expect(journal.append(signIn)).rejects.toBeInstanceOf(JournalBrokenError);
    } finally {
      restore();
    }
    expect(status.current().journal).toBe('full');
    expect(seen).toEqual(['full']); // one change pushed to the screen, none for the unchanged "ok"
    // Broken stays broken (a later write is refused without touching the disk), and says nothing new.
    await expect(journal.append(signIn)).rejects.toBeInstanceOf(JournalBrokenError);
    expect(status.current().journal).toBe('full');
    await journal.close();

    // Disk fixed: the reopened journal carries on from the record on disk, and its first write says ok again.
    const reopened = await open(folder);
    const after = wired(reopened);
    after.status.setJournalOutcome(errno('ENOSPC')); // what the station showed before the restart
    const record = await reopened.append(signIn);
    await reopened.close();
    expect(after.status.current().journal).toBe('ok');
    expect(record.seq).toBeGreaterThanOrEqual(2);
    expect((await verify(folder)).ok).toBe(true);
  });

  it('EROFS on write: the status says the folder is read-only, nothing of the failed record is trusted', async () => {
    const journal = await open(folder);
    const { status } = wired(journal);
    const first = await journal.append(signIn);
    const restore = await failFileHandle('write', errno('EROFS'));
    try {
      await expect(journal.append(signIn)).rejects.toBeInstanceOf(JournalBrokenError);
    } finally {
      restore();
    }
    expect(status.current().journal).toBe('read-only');
    await journal.close();
    const files = (await verify(folder)).stations;
    expect(files).toMatchObject([{ records: 1 }]);
    expect(first.seq).toBe(1);
  });
});

describe('recovery without a restart', () => {
  it('a healthy journal’s probe finds a full disk before anything is appended, and clears once space is back', async () => {
    const journal = await open(folder);
    const { status, seen } = wired(journal);
    await journal.append(signIn);
    const restore = await failFileHandle('datasync', errno('ENOSPC', 'fdatasync'));
    try {
      expect(await journal.probe()).toBe('full');
    } finally {
      restore();
    }
    expect(status.current().journal).toBe('full');
    expect(journal.broken).toBe(true);
    // Nothing is appended while it is broken, even with the disk back, until a probe resumes it.
    await expect(journal.append(signIn)).rejects.toBeInstanceOf(JournalBrokenError);
    expect(await journal.probe()).toBe('ok');
    expect(seen).toEqual(['full', 'ok']);
    const after = await journal.append(signIn);
    await journal.close();
    const checked = await verify(folder);
    expect(checked.ok).toBe(true);
    expect(checked.stations).toMatchObject([{ records: 3 }]);
    expect(after.seq).toBe(3);
  });

  it('after a failed write the same journal resumes: chain continues, the outage is a record, verify passes', async () => {
    const journal = await open(folder);
    const { status } = wired(journal);
    await journal.append(signIn);
    const restore = await failFileHandle('write', errno('EROFS'));
    try {
      await expect(journal.append(signIn)).rejects.toBeInstanceOf(JournalBrokenError);
      expect(await journal.probe()).toBe('read-only'); // still read-only: stays broken, says so
    } finally {
      restore();
    }
    expect(status.current().journal).toBe('read-only');
    expect(await journal.probe()).toBe('ok');
    expect(status.current().journal).toBe('ok');
    const next = await journal.append(e.operatorSignedOut({ operator, reason: 'manual' }));
    await journal.close();
    const lines = readFileSync(join(folder, readdirSync(folder).find((n) => n.endsWith('.jsonl')) ?? ''), 'utf8')
      .trim()
      .split('\n');
    const events = lines.map((l) => (JSON.parse(l) as { event: AuditEvent }).event);
    expect(events.map((ev) => ev.type)).toEqual(['operator.signed-in', 'journal.repaired', 'operator.signed-out']);
    expect(events[1]).toMatchObject({ kind: 'resumed', since: expect.any(String) as string });
    expect(next.seq).toBe(3);
    const checked = await verify(folder);
    expect(checked.ok).toBe(true);
    expect(checked.notes.join('\n')).toMatch(/could not write the journal from .* until this record/);
  });

  it('a write cut off half-way is repaired as at opening, then the chain goes on', async () => {
    const journal = await open(folder);
    await journal.append(signIn);
    const probe = await openFile(join(folder, 'probe'), 'w');
    const proto = Object.getPrototypeOf(probe) as { write: (...args: unknown[]) => Promise<unknown> };
    await probe.close();
    const real = proto.write;
    const spy = vi.spyOn(proto, 'write').mockImplementationOnce(async function (this: unknown, buffer: unknown, offset: unknown) {
      await real.call(this, buffer, offset, 20); // 20 bytes of the record reach the disk, then the device fails
      throw errno('EIO');
    });
    try {
      await expect(journal.append(signIn)).rejects.toBeInstanceOf(JournalBrokenError);
    } finally {
      spy.mockRestore();
    }
    expect(await journal.probe()).toBe('ok');
    await journal.append(signIn);
    await journal.close();
    const checked = await verify(folder);
    expect(checked.ok).toBe(true);
    expect(checked.notes.join('\n')).toMatch(/cut off by a crash/);
    expect(checked.stations).toMatchObject([{ records: 4 }]); // signed-in, torn-line repair, resumed, signed-in
  });
});
