import { randomUUID } from 'node:crypto';
import { inspect } from 'node:util';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { pendingTaps, verify } from '../../main/audit';
import { issueTap, type IssueTapRequest } from '../../main/tap/issuer';
import { PassAlreadyTakenError, TapIssueError } from '../../main/tap/issue-errors';
import { TapDeleter } from '../../main/tap/deleter';
import { LifetimeRangeMemory } from '../../main/tap/lifetime-range';
import { reconcileIntent } from '../../main/tap/recovery';
import { useEmulator } from '../support/emulator';
import { emulatorDirectory } from '../enrollment/support/directory';
import { captureConsole, eventsIn, STATION, tempJournal, type TempJournal } from '../enrollment/support/journal';

const operator = { id: '00000000-0000-4000-8000-000000000002', upn: 'patti.fernandez@tapkioskdemo.onmicrosoft.com' };
const megan = { id: '00000000-0000-4000-8000-000000000010', upn: 'megan.bowen@tapkioskdemo.onmicrosoft.com' };
/** In the "TAP excluded" group: the TAP policy does not target him. */
const isaiah = { id: '00000000-0000-4000-8000-000000000015', upn: 'isaiah.langer@tapkioskdemo.onmicrosoft.com' };
/** Seeded with a usable TAP. */
const johanna = { id: '00000000-0000-4000-8000-000000000016', upn: 'johanna.lorenz@tapkioskdemo.onmicrosoft.com' };

// The short one-time "kiosk" TAP policy preset: these tests are about 10-minute one-time passes.
const env = useEmulator({ tapPolicy: 'kiosk', leakScan: true });
let tj: TempJournal;

beforeEach(async () => {
  tj = await tempJournal();
});
afterEach(async () => {
  // Every test ends its flow: no TAP it created is left at Microsoft.
  expect(env.newTaps().map((t) => t.userId)).toEqual([]);
  await tj.close();
});

/** The session's clean-up after the enrollment: delete the TAP. */
async function finish(issued: { intentId: string; enrollmentId: string; user: { id: string; upn: string }; tap: { id: string } }) {
  const outcome = await deps().deleter.delete(
    { intentId: issued.intentId, enrollmentId: issued.enrollmentId, user: issued.user, tapMethodId: issued.tap.id },
    'completed',
  );
  expect(outcome.deleted).toBe(true);
}

function deps() {
  const directory = emulatorDirectory(env.emu);
  return { directory, audit: tj.journal, guard: tj.journal.guard, deleter: new TapDeleter({ directory, audit: tj.journal }) };
}

const request = (user: { id: string; upn: string }, extra: Partial<IssueTapRequest> = {}): IssueTapRequest => ({
  enrollmentId: randomUUID(),
  operator,
  user,
  lifetimeInMinutes: 10,
  isUsableOnce: true,
  ...extra,
});

const types = () => tj.events().map((e) => e.type);
const postsSeen = () => env.emu.requestLog().filter((r) => r.method === 'POST' && /temporaryAccessPassMethods$/.test(r.path));

describe('issuing a TAP', () => {
  it('has the intent on disk before the POST reaches Graph, and the issued record after', async () => {
    env.emu.injectFault({ method: 'POST', path: 'temporaryAccessPassMethods$', delayMs: 2500 });
    const issuing = issueTap(request(megan), deps());
    // The emulator has taken the fault: the POST has arrived and is being held.
    await vi.waitFor(() => expect(env.emu.ctx.faults.pending).toBe(0), { timeout: 10_000, interval: 10 });
    expect(eventsIn(tj.folder).map((e) => e.type)).toEqual(['tap.intent']);
    expect(env.emu.ctx.state.taps.has(megan.id)).toBe(false);

    const issued = await issuing;
    expect(types()).toEqual(['tap.intent', 'tap.issued']);
    const [intent, recorded] = tj.events();
    expect(intent).toMatchObject({ type: 'tap.intent', intentId: issued.intentId, user: megan, operator, lifetimeMinutes: 10, oneTime: true });
    expect(recorded).toMatchObject({ type: 'tap.issued', intentId: issued.intentId, tapMethodId: issued.tap.id, requestId: postsSeen()[0]?.requestId });
    expect(env.emu.ctx.state.taps.get(megan.id)?.id).toBe(issued.tap.id);
    issued.dropPass();
    await finish(issued);
  });

  it('hands the pass out exactly once, and the pass is in no file, no console output, no error and no inspection', async () => {
    const console = captureConsole();
    try {
      const issued = await issueTap(request(megan), deps());
      const atGraph = env.emu.ctx.state.taps.get(megan.id)?.pass ?? '';
      expect(atGraph.length).toBeGreaterThanOrEqual(8);
      expect(issued.passTaken).toBe(false);
      expect(inspect(issued, { depth: 10, showHidden: true })).not.toContain(atGraph);
      expect(JSON.stringify(issued)).not.toContain(atGraph);

      expect(issued.takePass()).toBe(atGraph);
      expect(issued.passTaken).toBe(true);
      const again = (() => {
        try {
          return issued.takePass();
        } catch (error) {
          return error;
        }
      })();
      expect(again).toBeInstanceOf(PassAlreadyTakenError);
      expect(String((again as Error).message)).not.toContain(atGraph);

      // The journal refuses the pass from now on.
      await expect(tj.journal.append({ type: 'failure', step: 'tap.show', detail: `shown ${atGraph}` })).rejects.toThrow(/contains a Temporary Access Pass/);
      await deps().deleter.delete({ intentId: issued.intentId, enrollmentId: issued.enrollmentId, user: megan, tapMethodId: issued.tap.id }, 'completed');
      expect(tj.everything()).not.toContain(atGraph);
      expect(console.text()).not.toContain(atGraph);
      expect(types()).toEqual(['tap.intent', 'tap.issued', 'tap.deleted']);
      expect((await verify(tj.folder)).ok).toBe(true);
    } finally {
      console.restore();
    }
  });

  it('connection dropped after Graph created the TAP: deleted at once, nothing left behind, the journal reconciles', async () => {
    env.emu.injectFault({ method: 'POST', path: 'temporaryAccessPassMethods$', drop: 'after' });
    const error = await issueTap(request(megan), deps()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TapIssueError);
    const e = error as TapIssueError;
    expect(e.code).toBe('not-delivered');
    expect(e.message).toMatch(/could not be delivered; nothing was left behind/);
    expect(e.details.deletedTapMethodId).toBeDefined();

    expect(env.emu.ctx.state.taps.has(megan.id)).toBe(false);
    expect(postsSeen()).toHaveLength(1); // never a duplicate
    expect(types()).toEqual(['tap.intent', 'failure', 'tap.deleted']);
    expect(tj.events()[2]).toMatchObject({
      type: 'tap.deleted',
      intentId: e.details.intentId,
      reason: 'reconciliation',
      tapMethodId: e.details.deletedTapMethodId,
    });
    expect(await pendingTaps(tj.folder, STATION)).toEqual([]);
    expect((await verify(tj.folder)).ok).toBe(true);
  });

  it('the journal fails after Graph created the pass: withdrawn through the retrying deleter, never shown', async () => {
    const d = deps();
    // The disk refuses the tap.issued record; the first DELETE of the withdrawal fails too.
    const audit = {
      append: (event: Parameters<typeof tj.journal.append>[0]) =>
        event.type === 'tap.issued' ? Promise.reject(new Error('ENOSPC: no space left on device')) : tj.journal.append(event),
    };
    env.emu.injectFault({ method: 'DELETE', path: 'temporaryAccessPassMethods/', status: 503 });
    const error = await issueTap(request(megan), { ...d, audit }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TapIssueError);
    expect((error as TapIssueError).code).toBe('journal-failed-withdrawn');
    expect((error as TapIssueError).message).toMatch(/withdrawn and not shown/);
    // Not given up after one failed DELETE: the withdrawal is queued in the station's deleter and retried.
    const tapId = env.emu.ctx.state.taps.get(megan.id)?.id;
    expect(tapId).toBeDefined();
    expect(d.deleter.pending()).toMatchObject([{ tapMethodId: tapId, reason: 'failed', attempts: 1, user: megan }]);
    expect(await d.deleter.drain(10_000)).toEqual([]);
    expect(env.emu.ctx.state.taps.has(megan.id)).toBe(false);
    // The deleter settles before it writes its record: wait for the line.
    await vi.waitFor(() => expect(types()).toEqual(['tap.intent', 'tap.delete-failed', 'tap.deleted']));
    expect(tj.events()[2]).toMatchObject({ type: 'tap.deleted', reason: 'failed', tapMethodId: tapId });
  });

  it('connection dropped before Graph did anything: not created, no TAP, nothing pending', async () => {
    env.emu.injectFault({ method: 'POST', path: 'temporaryAccessPassMethods$', drop: 'before' });
    const error = (await issueTap(request(megan), deps()).catch((e: unknown) => e)) as TapIssueError;
    expect(error.code).toBe('not-delivered');
    expect(error.details.deletedTapMethodId).toBeUndefined();
    expect(env.emu.ctx.state.taps.has(megan.id)).toBe(false);
    expect(types()).toEqual(['tap.intent', 'failure', 'tap.not-created']);
    expect(tj.events()[2]).toMatchObject({ reason: 'none-found-at-reconciliation' });
    expect(await pendingTaps(tj.folder, STATION)).toEqual([]);
  });

  it('a 503 on the create call (it may have been committed) is reconciled the same way', async () => {
    env.emu.injectFault({ method: 'POST', path: 'temporaryAccessPassMethods$', status: 503 });
    const error = (await issueTap(request(megan), deps()).catch((e: unknown) => e)) as TapIssueError;
    expect(error.code).toBe('not-delivered');
    expect(error.details.failure).toMatchObject({ kind: 'unavailable', status: 503 });
    expect(types()).toEqual(['tap.intent', 'failure', 'tap.not-created']);
    expect(tj.events()[1]).toMatchObject({ type: 'failure', step: 'tap.create', status: 503, requestId: postsSeen()[0]?.requestId });
  });

  it('no answer and Graph still unreachable for the list: unresolved, the intent stays open for recovery', async () => {
    env.emu.injectFault({ method: 'POST', path: 'temporaryAccessPassMethods$', drop: 'after' });
    env.emu.injectFault({ method: 'GET', path: 'temporaryAccessPassMethods$', drop: 'before', count: 2 });
    const error = (await issueTap(request(megan, { knownTaps: [] }), { ...deps(), reconcileAttempts: 2, timers: immediateTimers }).catch(
      (e: unknown) => e,
    )) as TapIssueError;
    expect(error.code).toBe('unresolved');
    const pending = await pendingTaps(tj.folder, STATION);
    expect(pending).toMatchObject([{ intentId: error.details.intentId, state: 'intent' }]);
    expect(env.emu.ctx.state.taps.has(megan.id)).toBe(true);

    // Once Graph answers again, the open intent is settled: the orphan is found and deleted.
    const d = deps();
    const item = await reconcileIntent(pending[0] as (typeof pending)[number], { directory: d.directory, audit: tj.journal, deleter: d.deleter });
    expect(item.outcome).toBe('deleted');
    expect(await pendingTaps(tj.folder, STATION)).toEqual([]);
  });

  it('Graph refuses (user excluded by the TAP policy): tap.not-created with the request id, typed error', async () => {
    const error = (await issueTap(request(isaiah), deps()).catch((e: unknown) => e)) as TapIssueError;
    expect(error).toBeInstanceOf(TapIssueError);
    expect(error.code).toBe('graph-refused');
    expect(error.details.failure).toMatchObject({ kind: 'bad-request', status: 400 });
    expect((error.cause as { reason?: string }).reason).toBe('policy-excludes-user');
    const post = postsSeen()[0];
    expect(post?.status).toBe(400);
    expect(types()).toEqual(['tap.intent', 'tap.not-created']);
    expect(tj.events()[1]).toMatchObject({ type: 'tap.not-created', reason: 'graph-refused', requestId: post?.requestId, user: isaiah });
    expect(env.emu.ctx.state.taps.has(isaiah.id)).toBe(false);
  });

  it('does not replace an existing TAP without confirmation, and replaces it with confirmation', async () => {
    const old = env.emu.ctx.state.taps.get(johanna.id);
    expect(old).toBeDefined();
    const refused = (await issueTap(request(johanna), deps()).catch((e: unknown) => e)) as TapIssueError;
    expect(refused.code).toBe('existing-tap');
    expect(refused.details.existing?.id).toBe(old?.id);
    expect(postsSeen()).toHaveLength(0);
    expect(types()).toEqual([]);
    expect(env.emu.ctx.state.taps.get(johanna.id)?.id).toBe(old?.id);

    const issued = await issueTap(request(johanna, { replaceExisting: true }), deps());
    expect(issued.replacedTapMethodId).toBe(old?.id);
    expect(env.emu.ctx.state.taps.get(johanna.id)?.id).toBe(issued.tap.id);
    expect(issued.tap.id).not.toBe(old?.id);
    expect(tj.events()[0]).toMatchObject({ type: 'tap.intent', replacesTapMethodId: old?.id });
    issued.dropPass();
    await finish(issued);
  });

  it('uses the TAPs the caller already read instead of listing them again', async () => {
    const issued = await issueTap(request(megan, { knownTaps: [] }), deps());
    expect(
      env.emu
        .requestLog()
        .filter((r) => r.surface === 'graph')
        .map((r) => r.method),
    ).toEqual(['POST']);
    issued.dropPass();
    expect(() => issued.takePass()).toThrow(PassAlreadyTakenError);
    await finish(issued);
  });
});

const immediateTimers = {
  setTimeout: (callback: () => void) => {
    queueMicrotask(callback);
    return 0;
  },
  clearTimeout: () => undefined,
};

describe('Microsoft’s default TAP policy (1 to 8 hours) refuses the station’s short pass (issue 10, 3b)', () => {
  const alex = { id: '00000000-0000-4000-8000-000000000001', upn: 'alex.wilber@tapkioskdemo.onmicrosoft.com' };
  const asAlex = () => {
    const directory = emulatorDirectory(env.emu, { operator: alex.upn });
    return { directory, audit: tj.journal, guard: tj.journal.guard, deleter: new TapDeleter({ directory, audit: tj.journal }) };
  };

  it('an Authentication Administrator (policy unreadable) gets a pass: the range is learnt from the refusal and remembered', async () => {
    env.emu.reset('microsoft-defaults');
    const memory = new LifetimeRangeMemory();
    const d = { ...asAlex(), lifetimeRange: memory };
    const issued = await issueTap(request(megan, { operator: alex, lifetimeInMinutes: 10 }), d);
    expect(issued.tap.lifetimeInMinutes).toBe(60);
    expect(issued.lifetimeAdjusted).toEqual({ code: 'tap.lifetime-adjusted-to-policy', requested: 10, issued: 60, range: { min: 60, max: 480 } });
    expect(issued.takePass()).toMatch(/^.{8}$/);
    expect(issued.passTaken).toBe(true);
    expect(types()).toEqual(['tap.intent', 'tap.not-created', 'tap.intent', 'tap.issued']);
    expect(memory.get()).toEqual({ min: 60, max: 480 });
    const posts = () => env.emu.requestLog().filter((r) => r.method === 'POST' && /temporaryAccessPassMethods$/.test(r.path)).length;
    expect(posts()).toBe(2);
    await finish(issued);

    // The station's next pass goes straight to the learnt lifetime: one request.
    const next = await issueTap(request(megan, { operator: alex, lifetimeInMinutes: 10 }), d);
    expect(next.tap.lifetimeInMinutes).toBe(60);
    expect(next.lifetimeAdjusted?.issued).toBe(60);
    expect(posts()).toBe(3);
    next.dropPass();
    await finish(next);
  });

  it('a lifetime refusal without the numbers is not guessed at: the refusal stands, nothing is left behind', async () => {
    env.emu.injectFault({
      method: 'POST',
      path: '/temporaryAccessPassMethods$',
      status: 400,
      headers: { 'content-type': 'application/json' },
      body: { error: { code: 'badRequest', message: 'Invalid LifetimeInMinutes specified.' } },
    });
    const memory = new LifetimeRangeMemory();
    const e = await issueTap(request(megan, { lifetimeInMinutes: 10 }), { ...deps(), lifetimeRange: memory }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(TapIssueError);
    expect((e as TapIssueError).code).toBe('graph-refused');
    expect(memory.get()).toBeNull();
    expect(types()).toEqual(['tap.intent', 'tap.not-created']);
  });

  it('on the kiosk preset the 10-minute pass is issued as asked, with no adjustment', async () => {
    env.emu.reset('kiosk');
    const issued = await issueTap(request(megan), { ...deps(), lifetimeRange: new LifetimeRangeMemory() });
    expect(issued.tap.lifetimeInMinutes).toBe(10);
    expect(issued.lifetimeAdjusted).toBeUndefined();
    issued.dropPass();
    await finish(issued);
  });
});

describe('an account created minutes ago (issue 10, 3o)', () => {
  /** Timers on the emulator's clock: each wait moves it on, so Graph's "too new" ends as it would. */
  const clockTimers = {
    setTimeout: (callback: () => void, ms: number) => {
      queueMicrotask(() => {
        env.emu.ctx.clock.advance(ms);
        callback();
      });
      return 0;
    },
    clearTimeout: () => undefined,
  };
  const createdAgo = (ms: number) => {
    const at = new Date(env.emu.ctx.clock.nowMs() - ms).toISOString();
    env.emu.ctx.state.users.get(megan.id)!.createdDateTime = at;
    return at;
  };

  it('retries with back-off until Microsoft knows the account, saying each wait; every refused attempt is closed', async () => {
    const created = createdAgo(30_000);
    const waits: ({ nextAttemptAt: number; retryUntil: number } | null)[] = [];
    const start = env.emu.ctx.clock.nowMs();
    const issued = await issueTap(request(megan, { userCreatedDateTime: created, onWaitingForNewAccount: (w) => waits.push(w) }), {
      ...deps(),
      timers: clockTimers,
      now: () => env.emu.ctx.clock.nowMs(),
    });
    // Two minutes after creation (the emulator's default): refused at +30 s, +40 s, +60 s, +100 s, accepted at
    // +140 s; the waits are 10 s, 20 s, 40 s, 40 s.
    expect(postsSeen().map((r) => r.status)).toEqual([404, 404, 404, 404, 201]);
    // The emulator's clock also runs in real time: within a second of the back-off's schedule.
    const offsets = waits.filter((w) => w !== null).map((w) => w!.nextAttemptAt - start);
    [10_000, 30_000, 70_000, 110_000].forEach((at, i) => expect(Math.abs((offsets[i] ?? 0) - at)).toBeLessThan(1_000));
    expect(offsets).toHaveLength(4);
    expect(waits.every((w) => w === null || Math.abs(w.retryUntil - start - 3 * 60_000) < 1_000)).toBe(true);
    expect(types()).toEqual([...Array.from({ length: 4 }, () => ['tap.intent', 'tap.not-created']).flat(), 'tap.intent', 'tap.issued']);
    issued.dropPass();
    await finish(issued);
  });

  it('gives up after three minutes with account-not-ready, nothing issued and no intent left open', async () => {
    const created = createdAgo(0);
    env.emu.ctx.state.newAccountMethodDelayMs = 10 * 60_000;
    const start = env.emu.ctx.clock.nowMs();
    const error = await issueTap(request(megan, { userCreatedDateTime: created }), {
      ...deps(),
      timers: clockTimers,
      now: () => env.emu.ctx.clock.nowMs(),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TapIssueError);
    expect(error).toMatchObject({ code: 'account-not-ready' });
    expect(Math.abs(env.emu.ctx.clock.nowMs() - start - 3 * 60_000)).toBeLessThan(1_000);
    expect(await pendingTaps(tj.folder, STATION)).toEqual([]);
    expect(types().filter((t) => t === 'tap.issued')).toEqual([]);
  });

  it('a cancel during the wait ends it at once, before another request', async () => {
    const created = createdAgo(0);
    const controller = new AbortController();
    const parked = { setTimeout: () => 0, clearTimeout: () => undefined };
    const pending = issueTap(
      request(megan, { userCreatedDateTime: created, signal: controller.signal, onWaitingForNewAccount: (w) => w && controller.abort() }),
      { ...deps(), timers: parked, now: () => env.emu.ctx.clock.nowMs() },
    );
    await expect(pending).rejects.toMatchObject({ code: 'cancelled' });
    expect(postsSeen()).toHaveLength(1);
    expect(await pendingTaps(tj.folder, STATION)).toEqual([]);
  });

  it('a person created long ago is not waited for: "not found" stands', async () => {
    const created = createdAgo(60 * 60_000);
    env.emu.injectFault({
      method: 'POST',
      path: '/temporaryAccessPassMethods$',
      status: 404,
      body: { error: { code: 'Request_ResourceNotFound', message: 'gone' } },
    });
    const error = await issueTap(request(megan, { userCreatedDateTime: created }), { ...deps(), timers: clockTimers }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'graph-refused' });
    expect(postsSeen()).toHaveLength(1);
  });
});
