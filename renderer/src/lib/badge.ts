/**
 * The badge scanner is a keyboard wedge: it types the badge number as a burst of keys and presses Enter.
 * The search box submits on Enter either way; this only tells the operator (and the screen reader) that the
 * entry looked like a scan. Pure: fed key times in ms.
 */

/** Mean time between keys below which an entry counts as a scan. */
export const BURST_MS_PER_CHAR = 50;
/** Fewer characters than this are never called a scan (a fast typist can do two keys in 50 ms). */
export const BURST_MIN_CHARS = 4;

/** 'badge' when the keys came in a burst (mean gap < 50 ms over at least 4 characters), else 'typed'. */
export function classifyEntry(keyTimes: readonly number[]): 'badge' | 'typed' {
  if (keyTimes.length < BURST_MIN_CHARS) return 'typed';
  const first = keyTimes[0] as number;
  const last = keyTimes[keyTimes.length - 1] as number;
  const mean = (last - first) / (keyTimes.length - 1);
  return mean < BURST_MS_PER_CHAR ? 'badge' : 'typed';
}

/** Collects key times for the current entry; reset when the box is cleared or submitted. */
export class BurstRecorder {
  private times: number[] = [];
  key(at: number): void {
    // A pause longer than a second starts a new entry (someone typed, stopped, then scanned).
    const last = this.times[this.times.length - 1];
    if (last !== undefined && at - last > 1000) this.times = [];
    this.times.push(at);
  }
  reset(): void {
    this.times = [];
  }
  finish(): 'badge' | 'typed' {
    const kind = classifyEntry(this.times);
    this.times = [];
    return kind;
  }
}
