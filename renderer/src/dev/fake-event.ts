/**
 * Event mode for the dev preview (fake-kiosk.ts, `?event=on`): a roster with every state, and its board. The
 * people are made up.
 */
import type { Board, EventModeStatus, RosterEntry, RosterView } from '../../../common/event';

export const EVENT_STATUS: EventModeStatus = { name: 'Spring onboarding', on: true, notice: null };

const at = (minutesAgo: number) => new Date(Date.now() - minutesAgo * 60_000).toISOString();
const person = (n: number, name: string, patch: Partial<RosterEntry>): RosterEntry => ({
  id: `00000000-0000-4e00-8000-${String(n).padStart(12, '0')}`,
  userPrincipalName: `${name.split(' ')[0]?.toLowerCase()}.new@contoso.example`,
  displayName: name,
  state: 'not-yet',
  doneAt: null,
  claim: null,
  attention: null,
  ...patch,
});

export function fakeRoster(): RosterView {
  const entries: RosterEntry[] = [
    person(1, 'Amara Okafor', { state: 'done', doneAt: at(95) }),
    person(2, 'Bruno Keller', { state: 'done', doneAt: at(40) }),
    person(3, 'Chen Wei', { state: 'in-progress', claim: { passIssuedAt: at(4), seenSince: at(5), ageMinutes: 5, stale: false, ours: false } }),
    person(4, 'Dalia Haddad', { state: 'in-progress', claim: { passIssuedAt: null, seenSince: at(1), ageMinutes: 1, stale: false, ours: true } }),
    person(5, 'Emil Novak', {
      state: 'needs-attention',
      attention: 'stale-claim',
      claim: { passIssuedAt: at(48), seenSince: at(45), ageMinutes: 48, stale: true, ours: false },
    }),
    person(6, 'Fatima Rossi', { state: 'needs-attention', attention: 'failed' }),
    person(7, 'Gustav Lind', {}),
    person(8, 'Hana Sato', {}),
  ];
  return {
    eventName: EVENT_STATUS.name,
    startDateTime: at(150),
    readAt: at(0),
    counts: { total: 8, done: 2, 'in-progress': 2, 'not-yet': 2, 'needs-attention': 2 },
    entries,
    next: entries.filter((e) => e.state === 'not-yet').map((e) => e.id),
  };
}

export function fakeBoard(): Board {
  const roster = fakeRoster();
  const hour = (h: number) => new Date(Math.floor(Date.now() / 3_600_000 - h) * 3_600_000).toISOString();
  return {
    eventName: roster.eventName,
    readAt: roster.readAt,
    counts: roster.counts,
    throughputPerHour: [
      { hourStart: hour(0), done: 1 },
      { hourStart: hour(1), done: 1 },
      { hourStart: hour(2), done: 0 },
    ],
    attention: [
      { displayName: 'Emil Novak', reason: 'stale-claim' },
      { displayName: 'Fatima Rossi', reason: 'failed' },
    ],
  };
}
