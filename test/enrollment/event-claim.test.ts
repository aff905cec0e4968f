// Event mode in the session (main/enrollment/): the claim made when the person is opened, the pre-flight check it
// adds, and the release on every way out with the reason the roster shows (done, cancelled, failed, timed out).
// Fake ports and XState's SimulatedClock (support/machine-deps.ts); the whole stations are test/event/station.test.ts.
import { describe, expect, it } from 'vitest';
import { createActor, SimulatedClock } from 'xstate';
import type { ClaimResult, ReleaseReason } from '../../main/event';
import type { EventPort } from '../../main/enrollment/ports';
import type { LifecyclePort } from '../../main/enrollment/lifecycle';
import { createEnrollmentMachine, type MachineDeps } from '../../main/enrollment/machine';
import { toSnapshot } from '../../main/enrollment/snapshot';
import type { SecurityKeyMethod } from '../../common/directory';
import type { EnrollmentMode } from '../../common/session';
import { BOTH_MODES, modeChoice } from '../../main/enrollment/modes';
import { deps } from './support/machine-deps';
import * as f from './support/fixtures';

const flush = async (n = 5) => {
  for (let i = 0; i < n; i += 1) await new Promise<void>((resolve) => setImmediate(resolve));
};

class FakeEvent implements EventPort {
  claims = 0;
  released: { claimId: string; reason: ReleaseReason }[] = [];
  constructor(
    public result: ClaimResult = { ok: true, claimId: 'claim-1' },
    public on = true,
    public allowed: EnrollmentMode[] = ['security-info'],
  ) {}
  active = () => this.on;
  modes = () => this.allowed;
  async claim(): Promise<ClaimResult> {
    this.claims += 1;
    return this.result;
  }
  async release(claimId: string, reason: ReleaseReason): Promise<boolean> {
    this.released.push({ claimId, reason });
    return true;
  }
}

function start(event: FakeEvent | undefined, lifecycle: Partial<LifecyclePort> = {}, clock = new SimulatedClock()) {
  const d: MachineDeps = deps(clock, []);
  const actor = createActor(createEnrollmentMachine({ ...d, lifecycle: { ...d.lifecycle, ...lifecycle }, ...(event ? { event } : {}) }), {
    clock,
    input: { keys: f.keysOne() },
  });
  actor.start();
  return { actor, clock };
}

async function toPreflight(actor: ReturnType<typeof start>['actor']) {
  actor.send({ type: 'SIGN_IN' });
  await flush();
  actor.send({ type: 'SEARCH', query: 'Adele' });
  await flush();
  actor.send({ type: 'CONFIRM_IDENTITY', document: 'passport' });
  await flush();
  return toSnapshot(actor.getSnapshot());
}

const claimCheck = (s: ReturnType<typeof toSnapshot>) => (s.screen === 'preflight' ? s.checks.find((c) => c.code === 'event-claim') : undefined);

describe('the session in event mode', () => {
  it('off (or no event): no claim and no event check, the pre-flight as without an event', async () => {
    for (const event of [undefined, new FakeEvent(undefined, false)]) {
      const { actor } = start(event);
      const p = await toPreflight(actor);
      expect(p).toMatchObject({ screen: 'preflight', verdict: 'go' });
      expect(claimCheck(p)).toBeUndefined();
      expect(event?.claims ?? 0).toBe(0);
      actor.stop();
    }
  });

  it('held elsewhere: pre-flight refuses, Issue does nothing, and nothing is released that was not ours', async () => {
    const event = new FakeEvent({ ok: false, notice: { code: 'event.held-elsewhere', params: { passIssuedAt: '2026-03-02T10:42:00Z', ageMinutes: 4 } } });
    const { actor } = start(event);
    const p = await toPreflight(actor);
    expect(p).toMatchObject({ screen: 'preflight', verdict: 'refused' });
    expect(claimCheck(p)).toMatchObject({ status: 'fail', finding: 'event-claim.held-elsewhere', params: { passIssuedAt: '2026-03-02T10:42:00Z' } });
    actor.send({ type: 'ISSUE' });
    expect(toSnapshot(actor.getSnapshot()).screen).toBe('preflight');
    actor.send({ type: 'CANCEL' });
    await flush();
    expect(event.released).toEqual([]);
    actor.stop();
  });

  it('released as done once the key is registered, as failed when the pass cannot be made, as timed out when it expires', async () => {
    const key = { id: 'k1', displayName: 'Adele desk key', aaGuid: null, model: null, createdDateTime: null } as unknown as SecurityKeyMethod;
    const done = new FakeEvent();
    const a = start(done, { awaitSignIn: async () => ({ via: 'tap-used', at: 0 }), awaitRegistration: async () => ({ method: key, stationKey: true }) });
    expect(claimCheck(await toPreflight(a.actor))).toMatchObject({ status: 'pass', finding: 'event-claim.pass' });
    a.actor.send({ type: 'ISSUE' });
    await flush(10);
    expect(toSnapshot(a.actor.getSnapshot()).screen).toBe('done');
    expect(done.released).toEqual([{ claimId: 'claim-1', reason: 'done' }]);
    a.actor.stop();

    const failed = new FakeEvent();
    const b = start(failed, { issue: async () => Promise.reject(Object.assign(new Error('refused'), { status: 400 })) });
    await toPreflight(b.actor);
    b.actor.send({ type: 'ISSUE' });
    await flush(10);
    expect(toSnapshot(b.actor.getSnapshot()).screen).toBe('failed');
    expect(failed.released).toEqual([{ claimId: 'claim-1', reason: 'failed' }]);
    b.actor.stop();

    const expired = new FakeEvent();
    const c = start(expired);
    await toPreflight(c.actor);
    c.actor.send({ type: 'ISSUE' });
    await flush(10);
    c.clock.increment(11 * 60_000); // the pass's 10 minutes, before any sign-in
    await flush(10);
    expect(toSnapshot(c.actor.getSnapshot()).screen).toBe('timed-out');
    expect(expired.released).toEqual([{ claimId: 'claim-1', reason: 'timed-out' }]);
    c.actor.stop();
  });

  it('an event allowing only provisioning at the desk: My Security Info is refused with the reason, Issue makes no pass', async () => {
    const event = new FakeEvent(undefined, true, ['provision']);
    let issued = 0;
    const { actor } = start(event, {
      issue: async () => {
        issued += 1;
        return Promise.reject(new Error('no pass may be made'));
      },
    });
    const p = await toPreflight(actor);
    // The checks pass (the claim is ours); the mode is what the event refuses.
    expect(p).toMatchObject({ screen: 'preflight', verdict: 'go' });
    if (p.screen !== 'preflight') return;
    expect(p.modes?.options.find((o) => o.mode === 'security-info')).toEqual({ mode: 'security-info', available: false, reason: 'mode.event-disallows' });
    actor.send({ type: 'ISSUE' });
    actor.send({ type: 'CHOOSE_MODE', mode: 'security-info' });
    await flush();
    expect(toSnapshot(actor.getSnapshot()).screen).toBe('preflight');
    expect(issued).toBe(0);
    actor.stop();
  });
});

describe('the mode choice narrowed by the event', () => {
  const facts = { checks: [], verdict: 'go' as const, key: { presence: 'one', verdict: 'ready', pin: 'set' } as never };

  it("a mode the station offers but the event does not is refused as the event's; the preselection moves to the allowed one", () => {
    expect(modeChoice(facts, BOTH_MODES, ['provision'])).toEqual({
      default: 'provision',
      options: [
        { mode: 'provision', available: true, reason: null },
        { mode: 'security-info', available: false, reason: 'mode.event-disallows' },
      ],
    });
    // The station's own switch comes first: turned off there, it says so, whatever the event allows.
    const stationProvisionOff = { ...BOTH_MODES, provision: false };
    expect(modeChoice(facts, stationProvisionOff, ['provision']).options).toEqual([
      { mode: 'provision', available: false, reason: 'mode.disabled' },
      { mode: 'security-info', available: false, reason: 'mode.event-disallows' },
    ]);
    // Outside event mode (null) nothing changes.
    expect(modeChoice(facts, BOTH_MODES, null)).toEqual(modeChoice(facts, BOTH_MODES));
    expect(modeChoice(facts, BOTH_MODES, null).default).toBe('security-info');
  });
});
