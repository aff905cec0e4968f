// Event mode over the station's IPC handler table (main/ipc/): the roster and board queries, and releasing another
// station's stale claim, which needs the operator's confirmation in the request itself, the claim to be older than
// the limit, and leaves an audit record with the operator and the claim's age.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { KioskReply } from '../../common/contract';
import { localDay, records } from '../../main/audit';
import { newHireId } from '../emulator/seed/event';
import { ALEX, PATTI, TEST, claimMembers, hireUpn, root, signIn, station, until, useEventStations } from './support';

useEventStations();

type Reply<K extends string> = Extract<KioskReply, { kind: K }>;

describe('event mode over IPC', () => {
  it(
    'the roster and the board: states, counts, next suggestions; only for an operator at work',
    async () => {
      const a = await station('EVENT-A', ALEX);
      expect(await a.handlers.handle({ kind: 'query', query: { type: 'roster' } })).toMatchObject({ ok: false, error: { code: 'operator-required' } });
      await signIn(a);
      a.session.send({ type: 'search', query: hireUpn(1) });
      await until(a, (x) => x.screen === 'identity');

      const roster = (await a.handlers.handle({ kind: 'query', query: { type: 'roster' } })) as Reply<'roster'>;
      expect(roster.roster.eventName).toBe('Spring onboarding');
      expect(roster.roster.counts).toEqual({ total: 6, done: 0, 'in-progress': 1, 'not-yet': 5, 'needs-attention': 0 });
      expect(roster.roster.entries.find((e) => e.id === newHireId(1))).toMatchObject({ state: 'in-progress', claim: { ours: true } });
      expect(roster.roster.next).not.toContain(newHireId(1));
      expect(roster.roster.next).toHaveLength(5);

      const board = (await a.handlers.handle({ kind: 'query', query: { type: 'board' } })) as Reply<'board'>;
      expect(board.board.counts).toEqual(roster.roster.counts);
      expect(board.board.throughputPerHour[0]).toMatchObject({ done: 0 });
      expect(board.board.attention).toEqual([]);
    },
    TEST,
  );

  it(
    'a stale claim is released only with the confirmation, after the limit, with an audit record',
    async () => {
      let offsetMs = 0;
      const a = await station('EVENT-A', ALEX);
      const b = await station('EVENT-B', PATTI, { eventClock: () => new Date(Date.now() + offsetMs) });
      await Promise.all([signIn(a), signIn(b)]);
      a.session.send({ type: 'search', query: hireUpn(3) });
      await until(a, (x) => x.screen === 'identity');
      const userId = newHireId(3);
      await b.handlers.handle({ kind: 'query', query: { type: 'roster' } });

      // Without `confirmed: true` the request is not one the station understands.
      expect(await b.handlers.handle({ kind: 'event', command: { type: 'event.release-stale', userId } })).toMatchObject({
        ok: false,
        error: { code: 'invalid-request' },
      });
      const release = { kind: 'event', command: { type: 'event.release-stale', userId, confirmed: true } } as const;
      expect(await b.handlers.handle(release)).toEqual({
        ok: true,
        kind: 'event',
        notice: { code: 'event.not-stale', params: { ageMinutes: 0, limitMinutes: 30 } },
      });
      expect(claimMembers()).toEqual([userId]);

      offsetMs = 31 * 60_000;
      const roster = (await b.handlers.handle({ kind: 'query', query: { type: 'roster' } })) as Reply<'roster'>;
      expect(roster.roster.entries.find((e) => e.id === userId)).toMatchObject({ state: 'needs-attention', attention: 'stale-claim' });
      const board = (await b.handlers.handle({ kind: 'query', query: { type: 'board' } })) as Reply<'board'>;
      expect(board.board.attention).toEqual([{ displayName: expect.stringContaining('Hire004') as string, reason: 'stale-claim' }]);

      expect(await b.handlers.handle(release)).toEqual({ ok: true, kind: 'event', notice: null });
      expect(claimMembers()).toEqual([]);
      const journal = await records(join(root, 'EVENT-B'), localDay(new Date()), 'EVENT-B');
      const audit = journal.flatMap((r) => (r.event.type === 'claim.released' ? [r.event] : []));
      expect(audit).toMatchObject([{ reason: 'stale-by-operator', operator: { upn: PATTI }, ageMinutes: 31 }]);
    },
    TEST,
  );
});
