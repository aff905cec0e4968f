/**
 * The badge scanner is a keyboard wedge: it types the badge number as a burst of keys and presses Enter.
 * The search box submits on Enter either way; this only tells the operator (and the screen reader) that the
 * entry looked like a scan. Pure: fed key times in ms.
 */

/**
 * Longest gap between two keys of a scan. Scanners type at a steady 5 to 20 ms a key; a fast typist manages
 * single gaps that short, but not every gap of a word (rolled letters, then a longer reach).
 */
export const BURST_MAX_GAP_MS = 35;
/** Fewer characters than this are never called a scan. */
export const BURST_MIN_CHARS = 4;

/** 'badge' when at least 4 keys came with every gap under 35 ms, else 'typed'. */
export function classifyEntry(keyTimes: readonly number[]): 'badge' | 'typed' {
  if (keyTimes.length < BURST_MIN_CHARS) return 'typed';
  for (let i = 1; i < keyTimes.length; i++) {
    if ((keyTimes[i] as number) - (keyTimes[i - 1] as number) >= BURST_MAX_GAP_MS) return 'typed';
  }
  return 'badge';
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
