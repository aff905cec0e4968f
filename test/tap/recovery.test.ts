import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { appendFileSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { auditEvents as e, openJournal, pendingTaps, verify, type AuditEvent, type Journal } from '../../main/audit';
import { encodeRecord, type AuditRecord } from '../../main/audit/record';
import { recoverTaps } from '../../main/tap/recovery';
import { TapDeleter } from '../../main/tap/deleter';
import { useEmulator } from '../support/emulator';
import { issueTap as seedTap } from '../emulator/support/mysignins';
import { accessTokenFor } from '../emulator/support/tokens';
import { emulatorDirectory, OPERATOR_UPN } from '../enrollment/support/directory';
import { eventsIn, everythingUnder, STATION } from '../enrollment/support/journal';
import { ManualTime } from '../enrollment/support/manual-time';

const operator = { id: '00000000-0000-4000-8000-000000000002', upn: OPERATOR_UPN };
const megan = { id: '00000000-0000-4000-8000-000000000010', upn: 'megan.bowen@tapkioskdemo.onmicrosoft.com' };
const AAGUID = 'cb69481e-8ff7-4039-93ec-0a2729a154a8';

// The short one-time "kiosk" TAP policy preset: these tests are about 10-minute one-time passes.
const env = useEmulator({ tapPolicy: 'kiosk' });
let folder: string;
const open: Journal[] = [];

beforeEach(() => {
  folder = mkdtempSync(join(tmpdir(), 'tap-kiosk-recovery-'));
});
afterEach(async () => {
  for (const journal of open.splice(0)) await journal.close();
  rmSync(folder, { recursive: true, force: true });
});

async function journal(): Promise<Journal> {
  const j = await openJournal({ folder, stationId: STATION });
  open.push(j);
  return j;
}

/** The next process: reopen the journal and run crash recovery with the station's deleter. */
async function restart(time = new ManualTime()) {
  const audit = await journal();
  const directory = emulatorDirectory(env.emu);
  const deleter = new TapDeleter({ directory, audit, clock: time, timers: time });
  const report = await recoverTaps({ folder, stationId: STATION }, { directory, audit, deleter });
  return { report, deleter, audit, time };
}

type Step = 'before-intent' | 'intent' | 'post-committed' | 'issued' | 'signed-in' | 'key-registered' | 'delete-failed' | 'deleted';
const STEPS: Step[] = ['before-intent', 'intent', 'post-committed', 'issued', 'signed-in', 'key-registered', 'delete-failed', 'deleted'];

/** What the journal and Microsoft hold when the process dies right after `step`. */
async function leaveStateOf(step: Step): Promise<{ tapAtGraph: boolean }> {
  const j = await journal();
  const at = STEPS.indexOf(step);
  const enrollmentId = randomUUID();
  const intentId = randomUUID();
  const write = (event: AuditEvent) => j.append(event);
  await write(e.lookup({ enrollmentId, operator, queryKind: 'upn', results: 1 }));
  await write(e.identityChecked({ enrollmentId, operator, user: megan, document: 'passport' }));
  if (at >= 1) await write(e.tapIntent({ enrollmentId, intentId, operator, user: megan, lifetimeMinutes: 10, oneTime: true }));
  // The POST committed: Microsoft holds a TAP created after the intent.
  const tap = at >= 2 && step !== 'deleted' ? seedTap(env.emu, megan.upn) : null;
  if (tap && at >= 3) {
    await write(
      e.tapIssued({ enrollmentId, intentId, user: megan, method: { id: tap.id, lifetimeInMinutes: 10, isUsableOnce: true, temporaryAccessPass: tap.pass } }),
    );
    j.guard.forbid(tap.pass);
  }
  if (tap && at >= 4) {
    tap.usedDateTime = env.emu.ctx.clock.now();
    await write(e.signinObserved({ enrollmentId, user: megan, via: 'tap-used' }));
  }
  if (tap && at >= 5) await write(e.keyRegistered({ enrollmentId, user: megan, methodId: 'k1', aaguid: AAGUID, model: 'YubiKey 5 NFC', stationKey: true }));
  if (tap && at >= 6)
    await write(e.tapDeleteFailed({ enrollmentId, intentId, user: megan, tapMethodId: tap.id, attempt: 1, status: 503, code: 'serviceNotAvailable' }));
  if (step === 'deleted') {
    await write(e.tapIssued({ enrollmentId, intentId, user: megan, method: { id: randomUUID(), lifetimeInMinutes: 10, isUsableOnce: true } }));
    await write(e.tapDeleted({ enrollmentId, intentId, user: megan, tapMethodId: randomUUID(), reason: 'completed' }));
  }
  // The process dies: no further records, the lock left behind for the next start to take over.
  open.splice(open.indexOf(j), 1);
  await j.close();
  return { tapAtGraph: tap !== null };
}

describe('crash recovery acts only on records signed with the station key', () => {
  it("a planted tap.intent and tap.issued for someone else's pass: reported, nothing deleted", async () => {
    const j = await journal();
    await j.append(e.lookup({ enrollmentId: randomUUID(), operator, queryKind: 'upn', results: 1 }));
    open.splice(open.indexOf(j), 1);
    await j.close();
    // Someone who can write the folder (not the key) appends records that chain and hash correctly.
    const name = readdirSync(folder).find((n) => n.endsWith('.jsonl')) ?? '';
    const file = join(folder, name);
    const last = JSON.parse(readFileSync(file, 'utf8').trimEnd().split('\n').at(-1) ?? '') as AuditRecord;
    const intentId = randomUUID();
    const enrollmentId = randomUUID();
    const attackerKey = randomBytes(32);
    const intent = encodeRecord(
      {
        v: 2,
        seq: last.seq + 1,
        ts: new Date(env.emu.ctx.clock.now().getTime() - 60_000).toISOString(),
        station: STATION,
        prev: last.hash,
        event: e.tapIntent({ enrollmentId, intentId, operator, user: megan, lifetimeMinutes: 60, oneTime: false }),
      },
      attackerKey,
    );
    appendFileSync(file, intent.line);
    const theirs = seedTap(env.emu, megan.upn); // megan's own pass, issued elsewhere
    const issued = encodeRecord(
      {
        v: 2,
        seq: last.seq + 2,
        ts: new Date().toISOString(),
        station: STATION,
        prev: intent.hash,
        event: e.tapIssued({ enrollmentId, intentId, user: megan, method: { id: theirs.id, lifetimeInMinutes: 60, isUsableOnce: false } }),
      },
      attackerKey,
    );
    appendFileSync(file, issued.line);

    const audit = await journal();
    const directory = emulatorDirectory(env.emu);
    const deleteTap = vi.spyOn(directory, 'deleteTap');
    const time = new ManualTime();
    const deleter = new TapDeleter({ directory, audit, clock: time, timers: time });
    const report = await recoverTaps({ folder, stationId: STATION }, { directory, audit, deleter });

    expect(deleteTap).not.toHaveBeenCalled();
    expect(env.emu.ctx.state.taps.get(megan.id)?.id).toBe(theirs.id);
    expect(report.items).toEqual([]);
    expect(report.wipeSession).toBe(false);
    expect(report.rejected).toMatchObject([
      { station: STATION, file, line: 2, seq: 2, reason: 'forged', type: 'tap.intent' },
      { station: STATION, file, line: 3, seq: 3, reason: 'forged', type: 'tap.issued' },
    ]);
    expect(await pendingTaps(folder, STATION)).toEqual([]);
    expect(await verify(folder)).toMatchObject({ ok: false, problem: { kind: 'forged', line: 2 } });
  });
});

describe('crash recovery at start', () => {
  it.each(STEPS)('killed right after "%s": the journal verifies, the orphaned TAP is found and deleted', async (step) => {
    const { tapAtGraph } = await leaveStateOf(step);
    expect((await verify(folder)).ok).toBe(true);
    expect(env.emu.ctx.state.taps.has(megan.id)).toBe(tapAtGraph);

    const { report } = await restart();
    expect(env.emu.ctx.state.taps.has(megan.id)).toBe(false);
    expect(await pendingTaps(folder, STATION)).toEqual([]);
    expect((await verify(folder)).ok).toBe(true);

    const last = eventsIn(folder).at(-1);
    const expected: Record<Step, string | null> = {
      'before-intent': null,
      intent: 'not-created',
      'post-committed': 'deleted',
      issued: 'deleted',
      'signed-in': 'deleted',
      'key-registered': 'deleted',
      'delete-failed': 'deleted',
      deleted: null,
    };
    expect(report.items.map((i) => i.outcome)).toEqual(expected[step] ? [expected[step]] : []);
    expect(report.wipeSession).toBe(expected[step] !== null);
    if (expected[step] === 'deleted') expect(last).toMatchObject({ type: 'tap.deleted', reason: 'crash-recovery' });
    if (expected[step] === 'not-created') expect(last).toMatchObject({ type: 'tap.not-created', reason: 'none-found-at-recovery' });
  });

  it('run while the station works (after the journal resumed): the pass a live enrollment holds is left alone', async () => {
    await leaveStateOf('issued');
    const live = (await pendingTaps(folder, STATION))[0];
    const audit = await journal();
    const directory = emulatorDirectory(env.emu);
    const time = new ManualTime();
    const deleter = new TapDeleter({ directory, audit, clock: time, timers: time });
    const where = { folder, stationId: STATION };
    const owned = await recoverTaps(where, { directory, audit, deleter, ownedByLiveEnrollment: (tap) => tap.enrollmentId === live?.enrollmentId });
    expect(owned.items).toEqual([]);
    expect(owned.wipeSession).toBe(false);
    expect(env.emu.ctx.state.taps.has(megan.id)).toBe(true);
    // Once that enrollment is over, the same pass is settled.
    const after = await recoverTaps(where, { directory, audit, deleter, ownedByLiveEnrollment: () => false });
    expect(after.items.map((i) => i.outcome)).toEqual(['deleted']);
    expect(env.emu.ctx.state.taps.has(megan.id)).toBe(false);
  });

  it('an intent whose POST never replaced the earlier TAP leaves that TAP alone', async () => {
    const earlier = seedTap(env.emu, megan.upn);
    env.emu.advanceClock(1); // the earlier pass is a minute older than anything that follows
    const j = await journal();
    await j.append(
      e.tapIntent({
        enrollmentId: randomUUID(),
        intentId: randomUUID(),
        operator,
        user: megan,
        lifetimeMinutes: 10,
        oneTime: true,
        replacesTapMethodId: earlier.id,
      }),
    );
    open.splice(open.indexOf(j), 1);
    await j.close();

    const { report } = await restart();
    expect(report.items.map((i) => i.outcome)).toEqual(['not-created']);
    expect(env.emu.ctx.state.taps.get(megan.id)?.id).toBe(earlier.id);
  });

  it('Graph unreachable at start: unresolved, nothing recorded, found and deleted at the next attempt', async () => {
    await leaveStateOf('post-committed');
    env.emu.injectFault({ method: 'GET', path: 'temporaryAccessPassMethods$', drop: 'before' });
    const first = await restart();
    expect(first.report.items).toMatchObject([{ outcome: 'unresolved', failure: { kind: 'network' } }]);
    expect(await pendingTaps(folder, STATION)).toHaveLength(1);
    for (const j of open.splice(0)) await j.close(); // the station restarts

    const second = await restart();
    expect(second.report.items.map((i) => i.outcome)).toEqual(['deleted']);
    expect(env.emu.ctx.state.taps.has(megan.id)).toBe(false);
  });

  it('a deletion that keeps failing stays queued, its attempts counted on from the journal, until it succeeds', async () => {
    await leaveStateOf('delete-failed');
    env.emu.injectFault({ method: 'DELETE', path: 'temporaryAccessPassMethods/', status: 503, count: 2 });
    const { report, deleter, time } = await restart();
    expect(report.items.map((i) => i.outcome)).toEqual(['delete-pending']);
    expect(deleter.pending()).toMatchObject([{ attempts: 2, reason: 'crash-recovery' }]);
    await time.advance(2_000);
    await time.advance(4_000);
    expect(deleter.pending()).toEqual([]);
    expect(env.emu.ctx.state.taps.has(megan.id)).toBe(false);
    const attempts = eventsIn(folder).flatMap((event) => (event.type === 'tap.delete-failed' ? [event.attempt] : []));
    expect(attempts).toEqual([1, 2, 3]);
    expect(eventsIn(folder).at(-1)).toMatchObject({ type: 'tap.deleted', reason: 'crash-recovery' });
  });

  it.each([
    // Graph holds the POST: the intent is on disk and nothing was created yet.
    { moment: 'while its POST was held by Graph', outcome: 'not-created', faults: [{ method: 'POST', path: 'temporaryAccessPassMethods$', delayMs: 3_000 }] },
    // Graph committed the POST but the answer was lost; the station was listing the TAPs to reconcile.
    {
      moment: 'while reconciling a lost answer',
      outcome: 'deleted',
      faults: [
        { method: 'POST', path: 'temporaryAccessPassMethods$', drop: 'after' as const },
        { method: 'GET', path: 'temporaryAccessPassMethods$', delayMs: 3_000 },
      ],
    },
  ])(
    'a station process SIGKILLed $moment: the journal verifies and the next start settles it ($outcome)',
    async ({ faults, outcome }) => {
      for (const fault of faults) env.emu.injectFault(fault);
      const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'fixtures/issue-child.ts')], {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: {
          ...process.env,
          FOLDER: folder,
          STATION,
          GRAPH: env.emu.urls.graph,
          CA_PEM: env.emu.caPem,
          TOKEN: await accessTokenFor(env.emu, OPERATOR_UPN),
          ENROLLMENT: randomUUID(),
          OPERATOR_ID: operator.id,
          OPERATOR_UPN: operator.upn,
          USER_ID: megan.id,
          USER_UPN: megan.upn,
        },
      });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
      // Every fault taken: the child is waiting on the held request.
      await vi.waitFor(() => expect(env.emu.ctx.faults.pending).toBe(0), { timeout: 30_000, interval: 20 });
      child.kill('SIGKILL');
      expect(await exited).toBe('SIGKILL');
      const pass = env.emu.ctx.state.taps.get(megan.id)?.pass ?? null;
      expect(pass !== null).toBe(outcome === 'deleted');

      expect((await verify(folder)).ok).toBe(true);
      expect(await pendingTaps(folder, STATION)).toMatchObject([{ state: 'intent', user: megan }]);
      const { report } = await restart();
      expect(report.items.map((i) => i.outcome)).toEqual([outcome]);
      expect(report.wipeSession).toBe(true);
      expect(env.emu.ctx.state.taps.has(megan.id)).toBe(false);
      expect(await pendingTaps(folder, STATION)).toEqual([]);
      expect((await verify(folder)).ok).toBe(true);
      expect(output).not.toContain('issued');
      if (pass) expect(everythingUnder(folder) + output).not.toContain(pass);
    },
    60_000,
  );
});
