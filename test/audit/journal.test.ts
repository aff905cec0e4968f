import { spawn, type ChildProcess } from 'node:child_process';
import { open as openFile, readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AuditEventError, auditEvents as e, genesisHash, JournalBrokenError, JournalLockedError, records, verify, type AuditEvent } from '../../main/audit';
import { STATION, appendAll, enrollment, journalFiles, open, operator, steppingClock, tempFolder } from './helpers';

let folder: string;
let cleanup: () => void;
beforeEach(() => ({ folder, cleanup } = tempFolder()));
afterEach(() => cleanup());

const signIn: AuditEvent = e.operatorSignedIn({ operator, roles: ['Authentication Administrator'] });

describe('the journal on disk', () => {
  it('writes one JSON record per line, chained from a genesis value for the station and day', async () => {
    const clock = steppingClock();
    const journal = await open(folder, { now: clock.now });
    await appendAll(journal, enrollment().events);
    await journal.close();

    const files = journalFiles(folder);
    expect(files.map((f) => basename(f))).toEqual([`${STATION}-2026-03-02.jsonl`]);
    const lines = (await readFile(files[0] ?? '', 'utf8')).trimEnd().split('\n');
    expect(lines).toHaveLength(11);
    const parsed = lines.map((l) => JSON.parse(l) as { seq: number; prev: string; hash: string; ts: string });
    expect(parsed.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(parsed[0]?.prev).toBe(genesisHash(STATION, '2026-03-02'));
    for (let i = 1; i < parsed.length; i += 1) expect(parsed[i]?.prev).toBe(parsed[i - 1]?.hash);
    expect(await verify(folder)).toMatchObject({ ok: true, stations: [{ station: STATION, records: 11, lastSeq: 11 }] });
  });

  it('starts a file per day and carries the chain across days, never writing back into an older day', async () => {
    const clock = steppingClock(new Date(2026, 2, 2, 23, 59, 50));
    const journal = await open(folder, { now: clock.now });
    await journal.append(signIn);
    clock.jump(60_000); // past midnight
    await journal.append(signIn);
    clock.jump(-120_000); // the clock is set back before midnight
    await journal.append(signIn);
    await journal.close();

    const files = journalFiles(folder);
    expect(files.map((f) => basename(f))).toEqual([`${STATION}-2026-03-02.jsonl`, `${STATION}-2026-03-03.jsonl`]);
    const day1 = (await records(folder, '2026-03-02')).map((r) => r.seq);
    const day2 = await records(folder, '2026-03-03');
    expect(day1).toEqual([1]);
    expect(day2.map((r) => r.seq)).toEqual([2, 3]);
    const [first] = await records(folder, '2026-03-02');
    expect(day2[0]?.prev).toBe(first?.hash);
    expect((await verify(folder)).ok).toBe(true);
  });

  it('continues the chain after a restart', async () => {
    const first = await open(folder);
    await first.append(signIn);
    await first.close();
    const second = await open(folder);
    expect(second.repairs).toEqual([]);
    const record = await second.append(signIn);
    await second.close();
    expect(record.seq).toBe(2);
    expect((await verify(folder)).ok).toBe(true);
  });

  it('serializes concurrent appends into one unbroken chain', async () => {
    const journal = await open(folder);
    const written = await Promise.all(Array.from({ length: 40 }, () => journal.append(signIn)));
    await journal.close();
    expect(written.map((r) => r.seq)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(await verify(folder)).toMatchObject({ ok: true, stations: [{ records: 40 }] });
  });

  it('resolves an append only after the line was written and flushed to disk', async () => {
    const journal = await open(folder);
    await journal.append(signIn); // the day file exists now
    const probe = await openFile(join(folder, 'probe'), 'w');
    type Method = (this: unknown, ...args: unknown[]) => unknown;
    const proto = Object.getPrototypeOf(probe) as { write: Method; datasync: Method };
    await probe.close();
    const realWrite = proto.write;
    const realSync = proto.datasync;
    const events: string[] = [];
    const spyWrite = vi.spyOn(proto, 'write').mockImplementation(function (this: unknown, ...args: unknown[]) {
      events.push('write');
      return realWrite.apply(this, args);
    });
    const datasync = vi.spyOn(proto, 'datasync').mockImplementation(function (this: unknown) {
      events.push('datasync');
      return realSync.apply(this, []);
    });
    try {
      await journal.append(signIn).then(() => events.push('resolved'));
    } finally {
      spyWrite.mockRestore();
      datasync.mockRestore();
    }
    await journal.close();
    // the journal line, its sync, then the head file (a lower bound, left to the OS), then "done"
    expect(events).toEqual(['write', 'datasync', 'write', 'resolved']);
  });

  it('refuses an invalid event without writing anything, and keeps going', async () => {
    const journal = await open(folder);
    await journal.append(signIn);
    const before = await readFile(journalFiles(folder)[0] ?? '', 'utf8');
    const bad = { type: 'tap.intent', enrollmentId: 'not-a-uuid' } as unknown as AuditEvent;
    await expect(journal.append(bad)).rejects.toBeInstanceOf(AuditEventError);
    expect(await readFile(journalFiles(folder)[0] ?? '', 'utf8')).toBe(before);
    expect((await journal.append(signIn)).seq).toBe(2);
    await journal.close();
  });
});

describe('when the disk fails', () => {
  it('stops accepting records after a failed flush, and a reopen carries on from what is on disk', async () => {
    const journal = await open(folder);
    await journal.append(signIn);
    const probe = await openFile(join(folder, 'probe'), 'w');
    const proto = Object.getPrototypeOf(probe) as { datasync: () => Promise<void> };
    await probe.close();
    const failing = vi.spyOn(proto, 'datasync').mockRejectedValueOnce(Object.assign(new Error('EIO: i/o error'), { code: 'EIO' }));
    await expect(journal.append(signIn)).rejects.toThrow(JournalBrokenError);
    failing.mockRestore();
    await expect(journal.append(signIn)).rejects.toThrow('audit journal could not be written and must be reopened: EIO: i/o error');
    await journal.close();
    const again = await open(folder);
    const next = await again.append(signIn);
    await again.close();
    expect(next.seq).toBe(3); // the unflushed line did reach the page cache here; it is kept, not rewritten
    expect((await verify(folder)).ok).toBe(true);
  });

  it('keeps the journal away from other users', async () => {
    const journal = await open(folder);
    await journal.append(signIn);
    await journal.close();
    const { statSync } = await import('node:fs');
    expect(statSync(journalFiles(folder)[0] ?? '').mode & 0o007).toBe(0); // nothing for others (umask may remove more)
  });
});

describe('a single writer per station', () => {
  it('refuses a second writer while the first holds the lock, and lets one in after close', async () => {
    const first = await open(folder);
    await expect(open(folder)).rejects.toBeInstanceOf(JournalLockedError);
    await first.close();
    const second = await open(folder);
    await second.close();
  });

  it('a lock file naming a dead or a reused pid blocks nobody: the lock is held by the OS, not the file', async () => {
    // pid 2^22+1 is above Linux's pid_max default and not running; our parent's pid is alive (a reused pid).
    for (const pid of [4_194_305, process.ppid]) {
      await writeFile(join(folder, `${STATION}.lock`), JSON.stringify({ pid, host: (await import('node:os')).hostname() }));
      const journal = await open(folder);
      await journal.append(signIn);
      await journal.close();
    }
    expect((await verify(folder)).ok).toBe(true);
  });

  it('the refusal names the process that holds the journal', async () => {
    const first = await open(folder);
    await expect(open(folder)).rejects.toThrow(new RegExp(`audit journal is in use by process ${process.pid} on `));
    await first.close();
  });
});

describe('a single writer across processes', () => {
  const holder = join(__dirname, 'fixtures/lock-holder.ts');
  const children: ChildProcess[] = [];
  afterEach(() => {
    for (const child of children.splice(0)) child.kill('SIGKILL');
  });
  const start = (): { child: ChildProcess; said: Promise<string> } => {
    const child = spawn(process.execPath, ['--import', 'tsx', holder, folder, STATION], { stdio: ['pipe', 'pipe', 'pipe'] });
    children.push(child);
    let stderr = '';
    child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
    const said = new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout?.on('data', (c: Buffer) => {
        out += c.toString();
        if (out.includes('\n')) resolve(out.trim());
      });
      child.once('exit', (code) => (out.includes('\n') ? undefined : reject(new Error(`child exited ${code}: ${stderr}`))));
    });
    return { child, said };
  };

  it('of two processes starting at once exactly one writes; a killed holder frees the lock at once', async () => {
    const [a, b] = [start(), start()];
    const said = await Promise.all([a.said, b.said]);
    expect(said.filter((s) => s.startsWith('open')).length, said.join(' | ')).toBe(1);
    expect(said.filter((s) => s.startsWith('locked')).length).toBe(1);
    expect(said.find((s) => s.startsWith('locked'))).toMatch(/in use by process \d+/);
    const holderChild = said[0]?.startsWith('open') ? a.child : b.child;
    // Power-loss stand-in: no cleanup runs, the lock file stays behind naming the dead pid.
    holderChild.kill('SIGKILL');
    await new Promise((resolve) => holderChild.once('exit', resolve));
    const c = start();
    expect(await c.said).toMatch(/^open /);
    c.child.stdin?.end();
    await new Promise((resolve) => c.child.once('exit', resolve));
    expect((await verify(folder)).ok).toBe(true);
  });
});

describe('the lock elsewhere (socket file, as on macOS)', () => {
  it('refuses a second holder, and takes over a socket file whose process is gone', async () => {
    const { lockAddress, takeWriterLock } = await import('../../main/audit/lock');
    const nobody = async () => undefined;
    expect(lockAddress(folder, STATION, 'win32')).toMatch(/^\\\\\.\\pipe\\tap-kiosk-journal-[0-9a-f]{32}$/);
    expect(lockAddress(folder, STATION, 'linux').startsWith('\0')).toBe(true);
    const first = await takeWriterLock(folder, STATION, nobody, 'darwin');
    await expect(takeWriterLock(folder, STATION, nobody, 'darwin')).rejects.toBeInstanceOf(JournalLockedError);
    await first.release();
    // A dead holder's socket file: plant a plain file where the socket was (nothing answers on it).
    await writeFile(first.address, '');
    const again = await takeWriterLock(folder, STATION, nobody, 'darwin');
    await again.release();
  });
});
