/**
 * Who this station suggests calling next, so that stations working one roster rarely reach for the same person.
 * Pure: from the people not yet called (in roster order), this station's id, and how long each has waited.
 *
 * - The window: the first `width` people not yet called, `width` = PER_STATION (3) × the stations at work (the
 *   claims in progress at the last read, this station counted once more when it holds none; at least 2). Only
 *   people in it are suggested first, so the queue order still holds: nobody is passed over by more than
 *   `width - 1` people at a time. Three per station, not one: a station's view of the claims is up to one roster
 *   read old, and in that time the other stations claim more than one person each.
 * - Within it, each station ranks people by a stable hash of (station id, person id) (rendezvous hashing). Two
 *   stations pick the same first person with a chance of about 1 in `width`, and the ranking does not shift when
 *   someone leaves the window (an index or offset into the list would: a station's next pick would then be the
 *   one another station's offset already points at).
 * - Overdue first: each `overdueReads` (3) roster reads a person has spent in the window moves them up a tier;
 *   higher tiers come first (ranked by the same hash within a tier). Whoever has waited longest is soon in a tier
 *   of their own and suggested first at every station, so nobody waits in the window for long.
 * - Then the rest of the people not yet called, in roster order.
 */

/** Reads in the window after which a person is suggested before everyone who waited less. */
export const OVERDUE_READS = 3;
/** People in the window per station at work. */
export const PER_STATION = 3;

export interface SpreadInput {
  /** Ids of the people not yet called (not claimed, not done, not needing attention), in roster order. */
  waiting: readonly string[];
  stationId: string;
  /** Stations at work (claims in progress at the last read + this one). */
  stations: number;
  /** How many roster reads in a row each person has been in the window (absent: 0). */
  readsInWindow?: ReadonlyMap<string, number>;
  overdueReads?: number;
}

/** The window's width: the stations at work, at least 2 (so two stations starting together spread too). */
export function spreadWidth(stations: number, waiting: number): number {
  return Math.min(waiting, Math.max(2, stations) * PER_STATION);
}

/** This station's order of the people waiting: the window spread by station, then the rest in roster order. */
export function spreadNext(input: SpreadInput): string[] {
  const width = spreadWidth(input.stations, input.waiting.length);
  const window = input.waiting.slice(0, width);
  const overdueAt = input.overdueReads ?? OVERDUE_READS;
  const tier = (id: string) => Math.floor((input.readsInWindow?.get(id.toLowerCase()) ?? 0) / overdueAt);
  const ranked = window
    .map((id) => ({ id, tier: tier(id), score: fnv1a(`${input.stationId.toLowerCase()}|${id.toLowerCase()}`) }))
    .sort((a, b) => b.tier - a.tier || b.score - a.score || a.id.localeCompare(b.id))
    .map((x) => x.id);
  return [...ranked, ...input.waiting.slice(width)];
}

/** FNV-1a, 32 bits: a stable, well-mixed hash (not a secret; ids are not secrets). */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  // A final mix, so ids that differ only in their last characters still spread.
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h >>> 0;
}
