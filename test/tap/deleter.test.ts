import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pendingTaps, verify } from '../../main/audit';
import { TapDeleter, type TapRef } from '../../main/tap/deleter';
import { useEmulator } from '../support/emulator';
import { issueTap as seedTap } from '../emulator/support/mysignins';
import { emulatorDirectory } from '../enrollment/support/directory';
import { STATION, tempJournal, type TempJournal } from '../enrollment/support/journal';
import { ManualTime } from '../enrollment/support/manual-time';

const operator = { id: '00000000-0000-4000-8000-000000000002', upn: 'patti.fernandez@tapkioskdemo.onmicrosoft.com' };
const megan = { id: '00000000-0000-4000-8000-000000000010', upn: 'megan.bowen@tapkioskdemo.onmicrosoft.com' };

const env = useEmulator();
let tj: TempJournal;
let time: ManualTime;
let deleter: TapDeleter;

beforeEach(async () => {
  tj = await tempJournal();
  time = new ManualTime();
  deleter = new TapDeleter({ directory: emulatorDirectory(env.emu), audit: tj.journal, clock: time, timers: time });
});
afterEach(async () => {
  deleter.stop();
  await tj.close();
});

/** A TAP at the emulator, journaled as issued by this station. */
async function issued(): Promise<TapRef> {
  const tap = seedTap(env.emu, megan.upn);
  const ref = { intentId: randomUUID(), enrollmentId: randomUUID(), user: megan, tapMethodId: tap.id };
  await tj.journal.append({
    type: 'tap.intent',
    enrollmentId: ref.enrollmentId,
    intentId: ref.intentId,
    operator,
    user: megan,
    lifetimeMinutes: 10,
    oneTime: true,
  });
  await tj.journal.append({
    type: 'tap.issued',
    enrollmentId: ref.enrollmentId,
    intentId: ref.intentId,
    user: megan,
    tapMethodId: tap.id,
    lifetimeMinutes: 10,
    oneTime: true,
  });
  return ref;
}

const deletes = () => env.emu.requestLog().filter((r) => r.method === 'DELETE');
const lifecycle = () => tj.events().filter((e) => e.type === 'tap.deleted' || e.type === 'tap.delete-failed');

describe('deleting a TAP', () => {
  it('deletes at once and records the reason and request id', async () => {
    const ref = await issued();
    const outcome = await deleter.delete(ref, 'completed');
    expect(outcome).toMatchObject({ deleted: true, attempts: 1 });
    expect(env.emu.ctx.state.taps.has(megan.id)).toBe(false);
    expect(lifecycle()).toEqual([
      {
        type: 'tap.deleted',
        enrollmentId: ref.enrollmentId,
        intentId: ref.intentId,
        user: megan,
        tapMethodId: ref.tapMethodId,
        reason: 'completed',
        requestId: deletes()[0]?.requestId,
      },
    ]);
    expect(await pendingTaps(tj.folder, STATION)).toEqual([]);
  });

  it('DELETE failing 3 times (503) stays pending, retries with growing back-off, then is deleted; a record per attempt', async () => {
    const ref = await issued();
    const changes: number[] = [];
    deleter = new TapDeleter({ directory: emulatorDirectory(env.emu), audit: tj.journal, clock: time, timers: time, onChange: (p) => changes.push(p.length) });
    env.emu.injectFault({ method: 'DELETE', path: 'temporaryAccessPassMethods/', status: 503, count: 3 });
    const first = await deleter.delete(ref, 'cancelled');
    expect(first.deleted).toBe(false);
    expect(deleter.pending()).toMatchObject([{ intentId: ref.intentId, attempts: 1, reason: 'cancelled', lastFailure: { status: 503 } }]);
    expect(await pendingTaps(tj.folder, STATION)).toMatchObject([{ intentId: ref.intentId, state: 'delete-failed', deleteAttempts: 1 }]);

    // 2 s, 4 s, 8 s: nothing happens before each is due.
    await time.advance(1_999);
    expect(deletes()).toHaveLength(1);
    await time.advance(1);
    expect(deletes()).toHaveLength(2);
    await time.advance(3_999);
    expect(deletes()).toHaveLength(2);
    await time.advance(1);
    expect(deletes()).toHaveLength(3);
    expect(env.emu.ctx.state.taps.has(megan.id)).toBe(true);
    await time.advance(8_000);
    expect(deletes()).toHaveLength(4);

    expect(deleter.pending()).toEqual([]);
    expect(changes).toEqual([1, 0]); // pending once it first failed, then none
    expect(env.emu.ctx.state.taps.has(megan.id)).toBe(false);
    const records = lifecycle();
    expect(records.map((r) => [r.type, 'attempt' in r ? r.attempt : r.reason])).toEqual([
      ['tap.delete-failed', 1],
      ['tap.delete-failed', 2],
      ['tap.delete-failed', 3],
      ['tap.deleted', 'cancelled'],
    ]);
    deletes().forEach((request, i) => expect(records[i]).toMatchObject({ requestId: request.requestId }));
    expect(records[0]).toMatchObject({ status: 503, code: 'serviceNotAvailable' });
    expect(await pendingTaps(tj.folder, STATION)).toEqual([]);
    expect((await verify(tj.folder)).ok).toBe(true);
  });

  it('waits as long as Retry-After says', async () => {
    const ref = await issued();
    env.emu.injectFault({ method: 'DELETE', path: 'temporaryAccessPassMethods/', status: 429, headers: { 'Retry-After': '45' } });
    await deleter.delete(ref, 'completed');
    await time.advance(44_999);
    expect(deletes()).toHaveLength(1);
    await time.advance(1);
    expect(deletes()).toHaveLength(2);
    expect(env.emu.ctx.state.taps.has(megan.id)).toBe(false);
  });

  it('counts 404 (already gone) as deleted', async () => {
    const ref = await issued();
    env.emu.ctx.state.taps.delete(megan.id);
    const outcome = await deleter.delete(ref, 'lifetime-expired');
    expect(outcome.deleted).toBe(true);
    expect(deletes()[0]?.status).toBe(404);
    expect(lifecycle()).toMatchObject([{ type: 'tap.deleted', reason: 'lifetime-expired' }]);
    expect(await pendingTaps(tj.folder, STATION)).toEqual([]);
  });

  it('joins a deletion already queued instead of racing it', async () => {
    const ref = await issued();
    env.emu.injectFault({ method: 'DELETE', path: 'temporaryAccessPassMethods/', status: 503 });
    await deleter.delete(ref, 'cancelled');
    const again = await deleter.delete(ref, 'quit');
    expect(again.deleted).toBe(false);
    expect(deletes()).toHaveLength(1);
    expect(deleter.pending()).toHaveLength(1);
  });

  it('drain (quit) tries every pending deletion at once and reports what is left after the timeout', async () => {
    const ok = await issued();
    env.emu.injectFault({ method: 'DELETE', path: 'temporaryAccessPassMethods/', status: 503 });
    await deleter.delete(ok, 'signed-out');
    expect(deleter.pending()).toHaveLength(1);
    // The retry is 2 s away, but quitting does not wait for it.
    expect(await deleter.drain(1_000)).toEqual([]);
    expect(env.emu.ctx.state.taps.has(megan.id)).toBe(false);

    const stuck = await issued();
    env.emu.injectFault({ method: 'DELETE', path: 'temporaryAccessPassMethods/', status: 503, count: 10 });
    await deleter.delete(stuck, 'quit');
    const draining = deleter.drain(1_000);
    await time.advance(1_000);
    expect((await draining).map((p) => p.intentId)).toEqual([stuck.intentId]);
    expect(await pendingTaps(tj.folder, STATION)).toMatchObject([{ intentId: stuck.intentId, state: 'delete-failed' }]);
  });
});
