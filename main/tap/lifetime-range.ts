/**
 * The tenant's TAP lifetime range, learnt from Graph's refusal. An Authentication Administrator cannot read the
 * TAP policy, and Microsoft's default policy (1 to 8 hours) refuses the station's short pass with
 * 400 badRequest "Invalid LifetimeInMinutes specified. The valid range between 60 and 480." (the body as
 * reported in microsoftgraph/microsoft-graph-docs#12187; glueckkanja/MyWorkID#124 saw the same range). The
 * message is parsed defensively: a refusal that names the lifetime but not both numbers gives a range with
 * nulls, and the caller then does not guess.
 */
import type { IssueNoticeCode } from '../../common/codes';

/** Graph's outer bounds for lifetimeInMinutes (temporaryAccessPassAuthenticationMethod resource). */
export const GRAPH_MIN_LIFETIME = 10;
export const GRAPH_MAX_LIFETIME = 43200;

export interface LifetimeRange {
  min: number | null;
  max: number | null;
}

/** Told to the operator when the station issued a pass with another lifetime than it asked for (common/codes.ts
 *  ISSUE_NOTICES; the hand-over screen shows it). */
export const LIFETIME_ADJUSTED_CODE = 'tap.lifetime-adjusted-to-policy' satisfies IssueNoticeCode;

const REFUSAL = /invalid\s+lifetimeinminutes/i;
const RANGE = /between\s+(\d{1,6})\s+and\s+(\d{1,6})/i;

function messagesOf(error: unknown): string[] {
  const out: string[] = [];
  let cur: unknown = error;
  for (let depth = 0; depth < 4 && typeof cur === 'object' && cur !== null; depth++) {
    const e = cur as { message?: unknown; graphMessage?: unknown; cause?: unknown };
    for (const m of [e.message, e.graphMessage]) if (typeof m === 'string') out.push(m.slice(0, 2000));
    cur = e.cause;
  }
  return out;
}

const inBounds = (n: number) => Number.isInteger(n) && n >= GRAPH_MIN_LIFETIME && n <= GRAPH_MAX_LIFETIME;

/** The range a lifetime refusal names; null when the error is not a lifetime refusal at all. */
export function lifetimeRangeFromRefusal(error: unknown): LifetimeRange | null {
  const text = messagesOf(error).find((m) => REFUSAL.test(m));
  if (text === undefined) return null;
  const m = RANGE.exec(text);
  if (!m) return { min: null, max: null };
  const min = Number(m[1]);
  const max = Number(m[2]);
  if (!inBounds(min) || !inBounds(max) || min > max) return { min: null, max: null };
  return { min, max };
}

/**
 * The lifetime to ask for instead: the shortest the range allows when the request is below it; null when the
 * range does not say, or the request is not too short. A request above the maximum is the operator's explicit
 * choice and is not shortened behind their back: that refusal stands and names the range.
 */
export function lifetimeWithin(range: LifetimeRange, requested: number): number | null {
  if (range.min !== null && requested < range.min) return range.min;
  return null;
}

/** What the station learnt this session (one per station; forgotten at restart). */
export class LifetimeRangeMemory {
  #range: LifetimeRange | null = null;
  get(): LifetimeRange | null {
    return this.#range;
  }
  remember(range: LifetimeRange): void {
    if (range.min !== null || range.max !== null) this.#range = { ...range };
  }
}
