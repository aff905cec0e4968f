// The board (a second display, the hall's screen): the roster's counts, people done per hour since the event
// started, and who waits on "needs attention". Pure: from the roster as last read.
import type { Board, RosterView } from '../../common/event';

const HOUR = 3_600_000;
/** The board shows at most this many hours (the most recent first). */
const MAX_HOURS = 12;

export function boardOf(view: RosterView, now: Date): Board {
  const start = Date.parse(view.startDateTime);
  const firstHour = Math.floor(start / HOUR) * HOUR;
  const hours = Math.max(1, Math.floor((now.getTime() - firstHour) / HOUR) + 1);
  const done = new Array<number>(hours).fill(0);
  for (const e of view.entries) {
    if (!e.doneAt) continue;
    const i = Math.floor((Date.parse(e.doneAt) - firstHour) / HOUR);
    if (i >= 0 && i < hours) done[i] = (done[i] ?? 0) + 1;
  }
  const throughputPerHour = done
    .map((n, i) => ({ hourStart: new Date(firstHour + i * HOUR).toISOString(), done: n }))
    .reverse()
    .slice(0, MAX_HOURS);
  return {
    eventName: view.eventName,
    readAt: view.readAt,
    counts: view.counts,
    throughputPerHour,
    attention: view.entries.flatMap((e) => (e.state === 'needs-attention' && e.attention ? [{ displayName: e.displayName, reason: e.attention }] : [])),
  };
}
