// Event mode wired into whole stations: two stations from createStation (each its own operator sign-in in
// Chromium, Graph client, journal and session) against one emulator race for the same person. The one that
// claims them may go on; the other's pre-flight says "in progress at another station" with what Graph tells.
// Cancel and "back to the results" give the claim back; a token without GroupMember.ReadWrite.All leaves event
// mode off, and the station works as without an event.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { localDay, records } from '../../main/audit';
import { newHireId } from '../emulator/seed/event';
import { tapsAt } from '../enrollment/support/station';
import {
  ALEX,
  PATTI,
  TEST,
  claimCheck,
  claimMembers,
  emu,
  hireUpn,
  root,
  signIn,
  station,
  toPreflight,
  until,
  useEventStations,
  killed,
  type Preflight,
} from './support';

useEventStations();

describe('event mode in a whole station', () => {
  it(
    'two stations race for one person: one claims them, the other is told "in progress at another station"; cancel gives the claim back',
    async () => {
      const [a, b] = await Promise.all([station('EVENT-A', ALEX), station('EVENT-B', PATTI)]);
      await Promise.all([signIn(a), signIn(b)]);
      expect(a.status.current().event).toEqual({ name: 'Spring onboarding', on: true, notice: null });

      const hire = hireUpn(2);
      const [pa, pb] = await Promise.all([toPreflight(a, hire), toPreflight(b, hire)]);
      const [winner, loser, pw, pl] = claimCheck(pa)?.finding === 'event-claim.pass' ? [a, b, pa, pb] : [b, a, pb, pa];
      expect(claimCheck(pw)).toMatchObject({ status: 'pass', finding: 'event-claim.pass' });
      expect(claimCheck(pl)).toMatchObject({ status: 'fail', finding: 'event-claim.held-elsewhere', params: { passIssuedAt: null } });
      expect(pl.verdict).toBe('refused');
      // Issue does nothing on the refused pre-flight: no pass exists for the person.
      loser.session.send({ type: 'issue' });
      expect(loser.session.snapshot()?.screen).toBe('preflight');
      expect(tapsAt(emu).filter((t) => t.userId === newHireId(2))).toEqual([]);
      expect(claimMembers()).toEqual([newHireId(2)]);

      // The winner cancels: the claim goes back (journalled), and the other station may claim on "check again".
      winner.session.send({ type: 'cancel' });
      await until(winner, (x) => x.screen === 'cancelled' || x.screen === 'ready');
      expect(claimMembers()).toEqual([]);
      const journal = await records(join(root, winner.config.stationId), localDay(new Date()), winner.config.stationId);
      expect(journal.flatMap((r) => (r.event.type === 'claim.released' ? [r.event.reason] : []))).toEqual(['cancelled']);

      loser.session.send({ type: 'recheck' });
      const again = (await until(loser, (x) => x.screen === 'preflight' && claimCheck(x as Preflight)?.status === 'pass')) as Preflight;
      expect(claimCheck(again)?.finding).toBe('event-claim.pass');
      expect(claimMembers()).toEqual([newHireId(2)]);
      loser.session.send({ type: 'cancel' });
      await until(loser, (x) => x.screen === 'cancelled' || x.screen === 'ready');
      expect(claimMembers()).toEqual([]);
    },
    TEST,
  );

  it(
    'back to the results from the card gives the claim back',
    async () => {
      const a = await station('EVENT-A', ALEX);
      await signIn(a);
      a.session.send({ type: 'search', query: hireUpn(4) });
      await until(a, (x) => x.screen === 'identity');
      expect(claimMembers()).toEqual([newHireId(4)]);
      a.session.send({ type: 'backToSearch' });
      await until(a, (x) => x.screen === 'search-results');
      await expect.poll(() => claimMembers()).toEqual([]);
    },
    TEST,
  );

  it(
    'a station killed while holding a claim releases it after the next sign-in (crash recovery from its journal)',
    async () => {
      const a = await station('EVENT-A', ALEX);
      await signIn(a);
      await toPreflight(a, hireUpn(5));
      expect(claimMembers()).toEqual([newHireId(5)]);
      killed(a);
      await a.release(); // killed: no cleanup ran, the claim is only in the journal

      const restarted = await station('EVENT-A', ALEX);
      expect(claimMembers()).toEqual([newHireId(5)]);
      await signIn(restarted);
      await expect.poll(() => claimMembers()).toEqual([]);
      const journal = await records(join(root, 'EVENT-A'), localDay(new Date()), 'EVENT-A');
      expect(journal.flatMap((r) => (r.event.type === 'claim.released' ? [r.event.reason] : []))).toEqual(['crash-recovery']);
    },
    TEST,
  );

  it(
    'without an event, or without the permission, the station works as before and says why event mode is off',
    async () => {
      const plain = await station('PLAIN', ALEX, { event: false });
      await signIn(plain);
      expect(plain.status.current().event).toBeUndefined();
      expect(claimCheck(await toPreflight(plain, hireUpn(1)))).toBeUndefined();
      expect(claimMembers()).toEqual([]);

      // The app registration without GroupMember.ReadWrite.All: event mode off, with the reason on the station page.
      const clients = emu.ctx.state.seed.clients;
      const saved = clients.map((c) => c.delegatedScopes);
      for (const c of clients) c.delegatedScopes = c.delegatedScopes.filter((x) => x !== 'GroupMember.ReadWrite.All');
      try {
        const off = await station('NO-PERMISSION', PATTI);
        await signIn(off);
        expect(off.status.current().event).toEqual({ name: 'Spring onboarding', on: false, notice: { code: 'event.off-no-permission', params: {} } });
        expect(claimCheck(await toPreflight(off, hireUpn(1)))).toBeUndefined();
        expect(claimMembers()).toEqual([]);
      } finally {
        clients.forEach((c, i) => (c.delegatedScopes = saved[i] ?? c.delegatedScopes));
      }
    },
    TEST,
  );
});
