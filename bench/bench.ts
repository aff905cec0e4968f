/**
 * What a bench module returns, and the statistics helpers they share.
 *
 * A bench module is any `bench/<name>.bench.ts` exporting `run(): Promise<BenchResult[]>` (and
 * optionally `title`). `bench/run.ts` finds, runs and prints them; nothing else needs registering.
 */

/** A target a measurement must meet: `max` (measured must be below) or `min` (at least). */
export type BenchTarget = { max: number } | { min: number };

export interface BenchResult {
  /** What was measured, e.g. "appear → identified (hot-plug), p95". */
  name: string;
  value: number;
  /** 'ms', 'µs', '%', 'count', 'x' ... */
  unit: string;
  target?: BenchTarget;
  /** One short line of context (sample count, conditions). */
  detail?: string;
}

export interface BenchModule {
  title?: string;
  run(): Promise<BenchResult[]>;
}

export type Verdict = 'PASS' | 'MISS' | '';

export function verdict(result: BenchResult): Verdict {
  const t = result.target;
  if (!t) return '';
  if ('max' in t) return result.value < t.max ? 'PASS' : 'MISS';
  return result.value >= t.min ? 'PASS' : 'MISS';
}

/** The p-th percentile (0..100) by nearest rank. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))] as number;
}

export const median = (samples: readonly number[]): number => percentile(samples, 50);

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** CPU time of this process over `ms` of wall time, as a percentage of one core. */
export async function cpuShareOver(ms: number): Promise<number> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await sleep(ms);
  const cpu = process.cpuUsage(cpu0);
  const wallUs = (performance.now() - t0) * 1000;
  return ((cpu.user + cpu.system) / wallUs) * 100;
}
