// The audit journal cannot be written (disk full, folder read-only, a write error): the station refuses up front,
// before anything is spent, and takes up issuing again by itself once the cause is gone, with no restart.
// Tests run as root, where chmod does not stop a write: the fault is injected at Node's FileHandle (every file
// write of the process goes through it), failing `datasync` (ENOSPC, as a full disk reports it) or one `write`.
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { pendingTaps, verify } from '../../main/audit';
import { useEmulator } from '../support/emulator';
import { upn } from '../directory/support';
import { STATION } from './support/journal';
import { openStation, stopStation, type Station } from './support/station';

const ADELE = upn('adele.vance');
const LEE = upn('lee.gu');
const env = useEmulator({ tapPolicy: 'kiosk', leakScan: true });

const errno = (code: string, syscall: string) => Object.assign(new Error(`${code}: injected, ${syscall}`), { code, syscall });
const graphPosts = () => env.emu.requestLog().filter((r) => r.method === 'POST' && /temporaryAccessPassMethods$/.test(r.path));
const keyDeletes = () => env.emu.requestLog().filter((r) => r.method === 'DELETE' && /fido2Methods\//.test(r.path));

type HandleMethods = Record<'write' | 'datasync', (...args: unknown[]) => Promise<unknown>>;
async function fileHandleProto(folder: string): Promise<HandleMethods> {
  const probe = await open(join(folder, 'fault-probe'), 'w');
  const proto = Object.getPrototypeOf(probe) as HandleMethods;
  await probe.close();
  return proto;
}

let stations: Station[] = [];
let restoreFs: (() => void) | null = null;
afterEach(async () => {
  restoreFs?.();
  restoreFs = null;
  for (const s of stations) await stopStation(s);
  expect(env.newTaps()).toEqual([]);
  for (const s of stations) {
    expect((await verify(s.journal.folder)).ok).toBe(true);
    await s.journal.close();
  }
  stations = [];
});

async function toIdentity(st: Station): Promise<void> {
  st.send({ type: 'signIn' });
  await st.until('ready');
  st.send({ type: 'search', query: ADELE });
  const found = await st.until('identity', 'search-results');
  if (found.screen === 'search-results') st.send({ type: 'selectUser', id: found.results[0]!.id });
  await st.until('identity');
}

/** The journal's write of the first record of `type` fails (EIO); every other write goes through. */
async function failWriteOf(st: Station, type: string): Promise<void> {
  const proto = await fileHandleProto(st.journal.folder);
  const real = proto.write;
  const spy = vi.spyOn(proto, 'write').mockImplementation(function (this: unknown, ...args: unknown[]) {
    const [data] = args;
    if (Buffer.isBuffer(data) && data.includes(`"type":"${type}"`)) return Promise.reject(errno('EIO', 'write'));
    return real.apply(this, args);
  });
  restoreFs = () => spy.mockRestore();
}

/** Lee's lost-key list, with the id of the key on it. */
async function toLostKey(): Promise<{ st: Station; keyId: string }> {
  const st = await openStation(env.emu);
  stations.push(st);
  await st.toPreflight(LEE);
  st.send({ type: 'lostKey' });
  const choosing = await st.waitFor((s) => s.screen === 'lost-key' && s.step === 'choosing');
  return { st, keyId: choosing.screen === 'lost-key' ? (choosing.keys[0]?.id ?? '') : '' };
}

async function removeKey(st: Station, keyId: string): Promise<void> {
  st.send({ type: 'deleteKeys', ids: [keyId] });
  await st.waitFor((s) => s.screen === 'lost-key' && s.step === 'confirming');
  st.send({ type: 'confirmDeleteKeys' });
}

describe('the journal cannot be written', () => {
  it('disk full: pre-flight blocks before anything is spent, and issuing resumes by itself once space is back', async () => {
    const st = await openStation(env.emu);
    stations.push(st);
    await toIdentity(st);
    const spy = vi.spyOn(await fileHandleProto(st.journal.folder), 'datasync').mockRejectedValue(errno('ENOSPC', 'fdatasync'));
    restoreFs = () => spy.mockRestore();

    st.send({ type: 'confirmIdentity', document: 'passport' });
    const p = await st.until('preflight');
    expect(p.verdict).toBe('refused');
    expect(p.checks.filter((c) => c.status === 'fail')).toEqual([{ code: 'journal-writable', status: 'fail', finding: 'journal-writable.full', params: {} }]);
    // Issue and Lost key do nothing: no pass asked of Microsoft, no key list, no key removed.
    st.send({ type: 'issue' });
    st.send({ type: 'lostKey' });
    await new Promise((r) => setTimeout(r, 50));
    expect(st.current().screen).toBe('preflight');
    expect(graphPosts()).toEqual([]);
    expect(keyDeletes()).toEqual([]);
    expect(env.newTaps()).toEqual([]);
    // "Check again" while the disk is still full: still refused.
    st.send({ type: 'recheck' });
    const again = await st.waitFor((s) => s.screen === 'preflight' && s !== p);
    expect(again.screen === 'preflight' && again.verdict).toBe('refused');

    // Space freed. The station's periodic probe (Station.checkJournal, main/station/index.ts) notices: the
    // journal resumes, the identity check is recorded by a fresh check, the pre-flight goes.
    restoreFs();
    restoreFs = null;
    expect(await st.journal.journal.probe()).toBe('ok');
    const go = await st.waitFor((s) => s.screen === 'preflight' && s.verdict === 'go');
    expect(go.screen === 'preflight' && go.checks.find((c) => c.code === 'journal-writable')?.status).toBe('pass');
    st.send({ type: 'issue' });
    await st.until('handover');
    expect(graphPosts()).toHaveLength(1);
    st.send({ type: 'cancel' });
    await st.until('cancelled', 'ready');

    const types = st.journal.events().map((e) => e.type);
    // Nothing of the outage is invented: the resumption is a record, the identity check follows it, then the pass.
    expect(types.slice(0, 4)).toEqual(['operator.signed-in', 'lookup', 'journal.repaired', 'identity.checked']);
    expect(types.indexOf('tap.intent')).toBeGreaterThan(3);
    expect(st.journal.events()[2]).toMatchObject({ kind: 'resumed' });
    expect(types).toContain('tap.deleted');
  });

  it('a write error after Microsoft created the pass: the pass is deleted, never shown, and the screen says so', async () => {
    const st = await openStation(env.emu);
    stations.push(st);
    await toIdentity(st);
    st.send({ type: 'confirmIdentity', document: 'passport' });
    const p = await st.until('preflight');
    expect(p.verdict).toBe('go');
    await failWriteOf(st, 'tap.issued');

    st.send({ type: 'issue' });
    const failed = await st.until('failed');
    expect(failed.error).toMatchObject({ code: 'audit.withdrawn' });
    expect(st.snapshots.some((s) => s.screen === 'handover')).toBe(false);
    expect(graphPosts()).toHaveLength(1);
    expect(env.emu.ctx.state.taps.has(p.user.id)).toBe(false); // withdrawn at Microsoft

    // The deletion could not be recorded while the journal was down, so the intent is still open.
    expect(await pendingTaps(st.journal.folder, STATION)).toHaveLength(1);
    // The disk works again: the journal resumes without a restart, and recovery settles the pass at once (not at the
    // next start): the journal only knows the intent, and Graph has no pass for it any more, which is recorded as
    // recovery records it (no pass found); the chain verifies.
    restoreFs?.();
    restoreFs = null;
    expect(await st.journal.journal.probe()).toBe('ok');
    await st.session.whenRecovered();
    expect(await pendingTaps(st.journal.folder, STATION)).toEqual([]);
    expect(st.journal.events().at(-1)).toMatchObject({ type: 'tap.not-created', reason: 'none-found-at-recovery', user: { upn: ADELE } });
    expect((await verify(st.journal.folder)).ok).toBe(true);
  });

  it('the journal fails while the pass is live: cancel still deletes it and wipes the view', async () => {
    const st = await openStation(env.emu);
    stations.push(st);
    const h = await st.toHandover(ADELE);
    const spy = vi.spyOn(await fileHandleProto(st.journal.folder), 'write').mockRejectedValue(errno('EROFS', 'write'));
    restoreFs = () => spy.mockRestore();
    st.send({ type: 'cancel' });
    const done = await st.until('cancelled', 'failed');
    expect(done.cleanup).toMatchObject({ tap: 'deleted', viewWiped: true });
    expect(env.emu.ctx.state.taps.has(h.user.id)).toBe(false);
    expect(st.view.wipes).toBeGreaterThan(0);
    // Deleted at Graph, but the deletion record was missed: the journal still lists the pass as open.
    expect(await pendingTaps(st.journal.folder, STATION)).toMatchObject([{ state: 'issued', user: { upn: ADELE } }]);
    const wipes = st.view.wipes;
    restoreFs?.();
    restoreFs = null;
    // The journal resumes (the station's periodic probe): the same recovery as at start settles it now.
    expect(await st.journal.journal.probe()).toBe('ok');
    await st.session.whenRecovered();
    expect(await pendingTaps(st.journal.folder, STATION)).toEqual([]);
    const types = st.journal.events().map((e) => e.type);
    expect(types.slice(types.lastIndexOf('journal.repaired'))).toEqual(['journal.repaired', 'tap.deleted']);
    expect(st.journal.events().at(-1)).toMatchObject({ type: 'tap.deleted', reason: 'crash-recovery', user: { upn: ADELE } });
    expect(st.view.wipes).toBe(wipes); // the station's view is not touched by it
    expect((await verify(st.journal.folder)).ok).toBe(true);
  });

  it('lost key while the journal cannot be written: removal and revocation refused with their own words, nothing done', async () => {
    const { st, keyId } = await toLostKey();
    const spy = vi.spyOn(await fileHandleProto(st.journal.folder), 'datasync').mockRejectedValue(errno('ENOSPC', 'fdatasync'));
    restoreFs = () => spy.mockRestore();

    await removeKey(st, keyId);
    const refused = await st.waitFor((s) => s.screen === 'lost-key' && s.step === 'choosing' && s.error !== null);
    expect(refused.screen === 'lost-key' && refused.error).toMatchObject({ code: 'audit.lost-key-refused' });
    expect(keyDeletes()).toEqual([]);
    expect(env.emu.ctx.state.fido2.has(keyId)).toBe(true);

    st.send({ type: 'revokeSessions' });
    const notRevoked = await st.waitFor((s) => s.screen === 'lost-key' && s.step === 'choosing' && s !== refused && s.error !== null);
    expect(notRevoked.screen === 'lost-key' && notRevoked.error).toMatchObject({ code: 'audit.lost-key-refused' });
    expect(notRevoked.screen === 'lost-key' && notRevoked.sessionsRevoked).toBe(false);
    expect(env.emu.requestLog().filter((r) => /revokeSignInSessions$/.test(r.path))).toEqual([]);
    restoreFs();
    restoreFs = null;
    expect(await st.journal.journal.probe()).toBe('ok');
  });

  it('lost key: Microsoft removed the key but the journal failed to record it: said so, not "nothing was requested"', async () => {
    const { st, keyId } = await toLostKey();
    await failWriteOf(st, 'key.removed');
    await removeKey(st, keyId);
    const failed = await st.waitFor((s) => s.screen === 'lost-key' && s.step === 'choosing' && s.error !== null);
    expect(failed.screen === 'lost-key' && failed.error).toMatchObject({ code: 'audit.lost-key-unrecorded' });
    expect(env.emu.ctx.state.fido2.has(keyId)).toBe(false);
    restoreFs?.();
    restoreFs = null;
    expect(await st.journal.journal.probe()).toBe('ok');
  });
});
