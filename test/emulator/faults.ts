// Fault injection for tests: the next N requests matching a route get a status and body, a delay, or a dropped
// connection (before the handler runs, or *after* it has committed its change).
import { z } from 'zod';

export const FaultSpec = z.object({
  method: z.string().toUpperCase().optional(),
  /** A regular expression matched against the path (no query string), e.g. `/temporaryAccessPassMethods$`. */
  path: z.string().min(1),
  count: z.number().int().positive().default(1),
  status: z.number().int().min(100).max(599).optional(),
  body: z.unknown().optional(),
  headers: z.record(z.string(), z.string()).default({}),
  delayMs: z.number().int().min(0).max(120_000).default(0),
  drop: z.enum(['before', 'after']).optional(),
});
export type FaultSpec = z.infer<typeof FaultSpec>;
export type FaultInput = z.input<typeof FaultSpec>;

interface ArmedFault extends FaultSpec {
  re: RegExp;
  remaining: number;
}

export class FaultInjector {
  private faults: ArmedFault[] = [];

  add(input: FaultInput): void {
    const spec = FaultSpec.parse(input);
    this.faults.push({ ...spec, re: new RegExp(spec.path), remaining: spec.count });
  }

  /** Takes one use of the first fault matching the request, if any. */
  take(method: string, path: string, options: { dropAllowed?: boolean } = {}): FaultSpec | undefined {
    // A request replayed inside a $batch has no socket of its own to drop: drop faults wait for a real one.
    const dropAllowed = options.dropAllowed ?? true;
    const f = this.faults.find((x) => x.remaining > 0 && (!x.method || x.method === method) && x.re.test(path) && (dropAllowed || !x.drop));
    if (!f) return undefined;
    f.remaining -= 1;
    this.faults = this.faults.filter((x) => x.remaining > 0);
    return f;
  }

  clear(): void {
    this.faults = [];
  }

  get pending(): number {
    return this.faults.reduce((n, f) => n + f.remaining, 0);
  }
}
