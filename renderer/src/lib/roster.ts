/**
 * The roster and the board (event mode): what the screens compute from main's RosterView. Pure.
 */
import type { RosterEntry, RosterState, RosterView } from '../../../common/event';

/** How often the roster and the board ask again (main reads Graph at most every 10 s: a change shows within 30 s). */
export const EVENT_REFRESH_MS = 20_000;

/** The pill's colour for a state (the `.tag-*` classes). */
export const STATE_TAG: Record<RosterState, string> = {
  done: 'tag-good',
  'in-progress': 'tag-brand',
  'not-yet': 'tag-neutral',
  'needs-attention': 'tag-bad',
};

/** The one search box: every word must appear in the name or the user name (case-insensitive). */
export function filterRoster(entries: readonly RosterEntry[], text: string): RosterEntry[] {
  const words = text.trim().toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return [...entries];
  return entries.filter((e) => {
    const hay = `${e.displayName} ${e.userPrincipalName}`.toLowerCase();
    return words.every((w) => hay.includes(w));
  });
}

/** The next people to call at this station (main's suggestions, spread from other stations'), at most `max`. */
export function nextPeople(view: RosterView, max = 5): RosterEntry[] {
  const byId = new Map(view.entries.map((e) => [e.id, e]));
  return view.next.flatMap((id) => byId.get(id) ?? []).slice(0, max);
}

/** Another station's claim past the limit: an operator may release it, after confirming. */
export const releasable = (e: RosterEntry): boolean => e.attention === 'stale-claim' && e.claim !== null && !e.claim.ours;
