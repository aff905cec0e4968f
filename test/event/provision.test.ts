// Event mode with "Set up the key here": two whole stations (createStation, each its own operator sign-in, Graph
// client, journal, session and a software key at the desk) against one emulator. The event's modes narrow the
// station's; the claim made when the person is opened holds provisioning too (refused to the other station), and
// goes back once the passkey is proven, after which both stations' rosters show the person done.
import { randomInt } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { localDay, records } from '../../main/audit';
import type { KioskReply } from '../../common/contract';
import { newHireId } from '../emulator/seed/event';
import { tapsAt } from '../enrollment/support/station';
import { ALEX, PATTI, TEST, claimCheck, claimMembers, emu, hireUpn, root, signIn, station, toPreflight, until, useEventStations } from './support';

useEventStations();

type Reply<K extends string> = Extract<KioskReply, { kind: K }>;

/** Eight digits the PIN rules accept (not all the same, not a run), made at run time. */
function randomPin(): string {
  for (;;) {
    const d = Array.from({ length: 8 }, () => randomInt(10));
    if (new Set(d.slice(1).map((x, i) => (x - d[i]! + 10) % 10)).size > 1) return d.join('');
  }
}

/** The reasons of the claim releases in a station's journal today. */
async function releasedReasons(stationId: string): Promise<string[]> {
  const journal = await records(join(root, stationId), localDay(new Date()), stationId);
  return journal.flatMap((r) => (r.event.type === 'claim.released' ? [r.event.reason] : []));
}

const PROVISION_ONLY = ['provision-at-desk'] as const;

describe('event mode with provisioning at the desk', () => {
  it(
    'an event allowing only provisioning: My Security Info is refused with the reason, "Set up the key here" is preselected',
    async () => {
      const a = await station('EVENT-A', ALEX, { modes: [...PROVISION_ONLY], deskKey: true });
      await signIn(a);
      const p = await toPreflight(a, hireUpn(1));
      expect(claimCheck(p)).toMatchObject({ status: 'pass', finding: 'event-claim.pass' });
      expect(p.modes).toEqual({
        default: 'provision',
        options: [
          { mode: 'provision', available: true, reason: null },
          { mode: 'security-info', available: false, reason: 'mode.event-disallows' },
        ],
      });
      // Neither the pass button nor the mode choice makes a pass.
      a.session.send({ type: 'issue' });
      a.session.send({ type: 'chooseMode', mode: 'security-info' });
      expect(a.session.snapshot()?.screen).toBe('preflight');
      expect(tapsAt(emu).filter((t) => t.userId === newHireId(1))).toEqual([]);

      // Provisioning started, then cancelled at the PIN pad: the claim goes back (journalled), no passkey was made.
      a.session.send({ type: 'chooseMode', mode: 'provision' });
      await until(a, (x) => x.screen === 'provisioning' && x.phase === 'set-pin');
      expect(claimMembers()).toEqual([newHireId(1)]);
      a.session.send({ type: 'cancel' });
      await until(a, (x) => x.screen === 'cancelled' || x.screen === 'ready');
      expect(claimMembers()).toEqual([]);
      expect(emu.ctx.state.fido2Of(newHireId(1))).toEqual([]);
      expect(await releasedReasons('EVENT-A')).toEqual(['cancelled']);
    },
    TEST,
  );

  it(
    'provisioning failed (PIN auth blocked after three wrong PINs), then cancelled: the claim goes back as failed, not cancelled',
    async () => {
      const pin = randomPin();
      const a = await station('EVENT-A', ALEX, { modes: [...PROVISION_ONLY], deskKey: { pin } });
      await signIn(a);
      await toPreflight(a, hireUpn(2));
      expect(claimMembers()).toEqual([newHireId(2)]);
      a.session.send({ type: 'chooseMode', mode: 'provision' });
      const wrong = pin.replace(/.$/, (d) => String((Number(d) + 1) % 10));
      for (let i = 0; i < 3; i += 1) {
        await until(a, (x) => x.screen !== 'provisioning' || x.phase === 'enter-pin' || x.phase === 'failed');
        a.session.send({ type: 'submitPin', pin: wrong });
        await until(a, (x) => x.screen !== 'provisioning' || x.phase !== 'enter-pin');
      }
      const failed = await until(a, (x) => x.screen !== 'provisioning' || x.phase === 'failed');
      expect(failed).toMatchObject({ screen: 'provisioning', phase: 'failed', error: { code: 'key.pin-auth-blocked' } });
      // Still held while the operator sees the failure (they may replug the key and check again).
      expect(claimMembers()).toEqual([newHireId(2)]);

      a.session.send({ type: 'cancel' });
      await until(a, (x) => x.screen === 'cancelled' || x.screen === 'ready');
      await expect.poll(() => claimMembers()).toEqual([]);
      await expect.poll(() => releasedReasons('EVENT-A')).toEqual(['failed']);
      expect(emu.ctx.state.fido2Of(newHireId(2))).toEqual([]);
    },
    TEST,
  );

  it(
    'a person claimed at A cannot be set up at B; after A proves the passkey the claim is released and both rosters show them done',
    async () => {
      const [a, b] = await Promise.all([
        station('EVENT-A', ALEX, { modes: [...PROVISION_ONLY], deskKey: true }),
        station('EVENT-B', PATTI, { modes: [...PROVISION_ONLY], deskKey: true }),
      ]);
      await Promise.all([signIn(a), signIn(b)]);
      const hire = newHireId(3);

      const pa = await toPreflight(a, hireUpn(3));
      expect(claimCheck(pa)?.finding).toBe('event-claim.pass');
      expect(claimMembers()).toEqual([hire]);

      // B: held elsewhere, so provisioning is refused like the pass (the claim check is not a pass-only check).
      const pb = await toPreflight(b, hireUpn(3));
      expect(claimCheck(pb)).toMatchObject({ status: 'fail', finding: 'event-claim.held-elsewhere' });
      expect(pb.modes?.options.find((o) => o.mode === 'provision')).toEqual({ mode: 'provision', available: false, reason: 'mode.refused' });
      b.session.send({ type: 'chooseMode', mode: 'provision' });
      expect(b.session.snapshot()?.screen).toBe('preflight');

      // A sets the key up: the person chooses a PIN (twice), the key is touched at once, registered and proven.
      a.session.send({ type: 'chooseMode', mode: 'provision' });
      await until(a, (x) => x.screen !== 'provisioning' || x.phase === 'set-pin' || x.phase === 'failed');
      expect(a.session.snapshot()).toMatchObject({ screen: 'provisioning', phase: 'set-pin' });
      const pin = randomPin();
      a.session.send({ type: 'submitPin', pin, confirm: pin });
      const done = await until(a, (x) => x.screen === 'done' || x.screen === 'failed');
      expect(done).toMatchObject({ screen: 'done', proven: true, registered: { stationKey: true } });
      const passkeys = emu.ctx.state.fido2Of(hire);
      expect(passkeys).toHaveLength(1);
      expect(tapsAt(emu).filter((t) => t.userId === hire)).toEqual([]);

      // The claim went back as done (journalled), and A's roster shows the person done.
      expect(claimMembers()).toEqual([]);
      expect(await releasedReasons('EVENT-A')).toEqual(['done']);
      const rosterA = (await a.handlers.handle({ kind: 'query', query: { type: 'roster' } })) as Reply<'roster'>;
      expect(rosterA.roster.entries.find((e) => e.id === hire)?.state).toBe('done');

      // B checks again: Graph shows the provisioned passkey, created after the event start, so the person is done
      // there too (not claimable, nothing to set up), and B's roster says so.
      b.session.send({ type: 'recheck' });
      const again = await until(b, (x) => x.screen === 'preflight' && claimCheck(x)?.finding !== 'event-claim.held-elsewhere');
      if (again.screen !== 'preflight') throw new Error(again.screen);
      expect(claimCheck(again)).toMatchObject({ status: 'fail', finding: 'event-claim.already-done' });
      expect(again.modes?.options.every((o) => !o.available)).toBe(true);
      expect(claimMembers()).toEqual([]);
      const rosterB = (await b.handlers.handle({ kind: 'query', query: { type: 'roster' } })) as Reply<'roster'>;
      expect(rosterB.roster.entries.find((e) => e.id === hire)).toMatchObject({ state: 'done', claim: null });
      expect(rosterB.roster.counts.done).toBe(1);
      b.session.send({ type: 'cancel' });
      await until(b, (x) => x.screen === 'cancelled' || x.screen === 'ready');
      expect(emu.ctx.state.fido2Of(hire)).toHaveLength(1);
    },
    TEST,
  );
});
