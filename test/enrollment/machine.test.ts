// The machine on its own, with fake ports and XState's SimulatedClock: every state has a way out, and the
// snapshot carries the pass on the handover screen only.
import { describe, expect, it } from 'vitest';
import { createActor, SimulatedClock, type StateNode } from 'xstate';
import type { AuditEvent } from '../../main/audit';
import { createEnrollmentMachine } from '../../main/enrollment/machine';
import { HANDOVER_MS } from '../../common/session';
import { SCREEN_TAGS, toSnapshot } from '../../main/enrollment/snapshot';
import * as f from './support/fixtures';
import { PASS, deps } from './support/machine-deps';

/** Events that are not a way out chosen by anyone: the key reader, the queue, the idle timer, the process quitting. */
const INTERNAL = new Set(['KEYS', 'PENDING_DELETIONS', 'ACTIVITY', 'IDLE', 'QUIT']);
const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('station machine', () => {
  it('every state that is not final can be left: by an event, an invoked actor finishing, a timer or an always', () => {
    const clock = new SimulatedClock();
    const machine = createEnrollmentMachine(deps(clock, []));
    const stuck: string[] = [];
    const walk = (node: StateNode) => {
      const children = Object.values(node.states) as StateNode[];
      if (children.length === 0 && node.type !== 'final') {
        let n: StateNode | undefined = node;
        let exits = false;
        while (n) {
          const commands = Object.keys(n.config.on ?? {}).filter((e) => !INTERNAL.has(e));
          if (commands.length > 0 || n.config.invoke || n.config.after || n.config.always) exits = true;
          n = n.parent;
        }
        if (!exits) stuck.push(node.id);
      }
      children.forEach(walk);
    };
    walk(machine.root as unknown as StateNode);
    expect(stuck).toEqual([]);
  });

  /** Signed in, Adele found and checked, the pass issued; every snapshot on the way into `seen`. */
  const toHandover = async (clock: SimulatedClock, events: AuditEvent[], seen: string[] = []) => {
    const actor = createActor(createEnrollmentMachine(deps(clock, events)), { clock, input: { keys: f.keysOne() } });
    actor.start();
    actor.subscribe((s) => seen.push(JSON.stringify(toSnapshot(s))));
    actor.send({ type: 'SIGN_IN' });
    await flush();
    actor.send({ type: 'SEARCH', query: 'Adele' });
    await flush();
    actor.send({ type: 'SELECT_USER', id: f.card().id });
    await flush();
    actor.send({ type: 'CONFIRM_IDENTITY', document: 'passport' });
    await flush();
    actor.send({ type: 'ISSUE' });
    for (let i = 0; i < 5; i += 1) await flush();
    return actor;
  };

  it('after the hand-over the pass stays in the person’s panel until My Security Info moves past its pass prompt', async () => {
    const clock = new SimulatedClock();
    const actor = await toHandover(clock, []);
    actor.send({ type: 'HANDED_OVER' });
    const waiting = toSnapshot(actor.getSnapshot());
    expect(waiting).toMatchObject({ screen: 'waiting-for-sign-in', pass: PASS, passPromptPassed: false });
    // Still asking for the user name or the pass: the pass stays.
    actor.send({ type: 'VIEW', phase: 'signing-in' });
    expect(toSnapshot(actor.getSnapshot())).toMatchObject({ pass: PASS, passPromptPassed: false });
    // Past the prompt: gone, from the snapshot and from main's memory.
    actor.send({ type: 'VIEW', phase: 'signed-in' });
    expect(toSnapshot(actor.getSnapshot())).toMatchObject({ screen: 'waiting-for-sign-in', pass: null, passPromptPassed: true });
    expect(JSON.stringify(actor.getSnapshot().context)).not.toContain(PASS);
    actor.stop();
  });

  it('the operator can hide the pass from the person’s panel sooner', async () => {
    const actor = await toHandover(new SimulatedClock(), []);
    actor.send({ type: 'HANDED_OVER' });
    actor.send({ type: 'HIDE_PASS' });
    expect(toSnapshot(actor.getSnapshot())).toMatchObject({ screen: 'waiting-for-sign-in', pass: null, passPromptPassed: false });
    expect(JSON.stringify(actor.getSnapshot().context)).not.toContain(PASS);
    actor.stop();
  });

  it('the pass is only on the hand-over and sign-in screens, never in the journal, and gone when they are left', async () => {
    const clock = new SimulatedClock();
    const events: AuditEvent[] = [];
    const seen: string[] = [];
    const actor = await toHandover(clock, events, seen);
    expect(seen.some((s) => s.includes('"screen":"preflight"'))).toBe(true);
    const handover = toSnapshot(actor.getSnapshot());
    expect(handover.screen === 'handover' && handover.pass).toBe(PASS);
    clock.increment(HANDOVER_MS - 1);
    expect(toSnapshot(actor.getSnapshot()).screen).toBe('handover');
    clock.increment(1);
    const waiting = toSnapshot(actor.getSnapshot());
    expect(waiting.screen).toBe('waiting-for-sign-in');
    expect(seen.filter((s) => s.includes(PASS)).every((s) => /"screen":"(handover|waiting-for-sign-in)"/.test(s))).toBe(true);
    expect(JSON.stringify(events)).not.toContain(PASS);
    actor.send({ type: 'CANCEL' });
    for (let i = 0; i < 5; i += 1) await flush();
    expect(toSnapshot(actor.getSnapshot()).screen).toBe('cancelled');
    expect(JSON.stringify(actor.getSnapshot().context)).not.toContain(PASS);
    expect(JSON.stringify(toSnapshot(actor.getSnapshot()))).not.toContain(PASS);
    actor.stop();
  });

  it('every state the station can rest in carries exactly one screen tag, so the snapshot knows the screen', () => {
    const machine = createEnrollmentMachine(deps(new SimulatedClock(), []));
    const screens = new Set<string>(SCREEN_TAGS);
    const wrong: string[] = [];
    const walk = (node: StateNode) => {
      const children = Object.values(node.states) as StateNode[];
      // A state left at once (`always`) is never seen by the renderer.
      if (children.length === 0 && !node.config.always) {
        const tags: string[] = [];
        for (let n: StateNode | undefined = node; n; n = n.parent) tags.push(...n.tags);
        const onScreen = tags.filter((t) => screens.has(t));
        if (onScreen.length !== 1) wrong.push(`${node.id}: ${onScreen.join(', ') || 'no screen tag'}`);
        if (onScreen[0] === 'lost-key' && tags.filter((t) => t.startsWith('lost-key:')).length !== 1) wrong.push(`${node.id}: no lost-key step`);
      }
      children.forEach(walk);
    };
    walk(machine.root as unknown as StateNode);
    expect(wrong).toEqual([]);
  });
});
