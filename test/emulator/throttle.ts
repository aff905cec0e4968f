// Graph throttling as token buckets of resource units, with the documented request costs
// (entra-graph.md 6.3): 429 TooManyRequests with Retry-After when a bucket runs dry.

export interface ThrottleConfig {
  /** Resource units per window (application + tenant; a small tenant gets 3,500 per 10 s). */
  resourceUnits: number;
  windowSeconds: number;
  /** Writes per write window (3,000 per 150 s). */
  writes: number;
  writeWindowSeconds: number;
  /** The least Retry-After announced (more when the bucket needs longer to refill); null sends a 429 without
   *  the header (both shapes exist). */
  retryAfterSeconds: number | null;
}

export const DEFAULT_THROTTLE: ThrottleConfig = {
  resourceUnits: 3500,
  windowSeconds: 10,
  writes: 3000,
  writeWindowSeconds: 150,
  retryAfterSeconds: 10,
};

/** The resource-unit cost of one Graph request. */
export function requestCost(method: string, path: string, query: URLSearchParams): number {
  let cost = 1;
  if (method === 'GET') {
    if (/\/users\/?$/i.test(path) || /\/(memberOf|transitiveMemberOf)(\/|$)/i.test(path)) cost = 2;
  }
  if (query.has('$select')) cost -= 1;
  if (query.has('$expand')) cost += 1;
  const top = Number(query.get('$top'));
  if (query.has('$top') && Number.isFinite(top) && top < 20) cost -= 1;
  return Math.max(1, cost);
}

class Bucket {
  private tokens: number;
  private last: number;
  constructor(
    private readonly capacity: number,
    private readonly windowMs: number,
  ) {
    this.tokens = capacity;
    this.last = Date.now();
  }
  private refill(now: number) {
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.last) * this.capacity) / this.windowMs);
    this.last = now;
  }
  /** Graph keeps counting usage while a client is throttled: a refused request still spends. */
  spend(n: number, now = Date.now()): boolean {
    this.refill(now);
    const ok = this.tokens >= n;
    this.tokens = Math.max(-this.capacity, this.tokens - n);
    return ok;
  }
  /** How long until `n` units are there again, counting what refused requests have spent meanwhile. */
  secondsUntil(n: number): number {
    return Math.max(0, ((n - this.tokens) * this.windowMs) / this.capacity / 1000);
  }
  get usedFraction(): number {
    return 1 - this.tokens / this.capacity;
  }
}

export interface ThrottleDecision {
  allowed: boolean;
  cost: number;
  limit?: 'ResourceUnitLimitExceeded' | 'WriteLimitExceeded';
  usedFraction: number;
  /** Whole seconds after which the same request will be let through (never less than configured). */
  retryAfterSeconds?: number;
}

export class Throttle {
  private ru!: Bucket;
  private writes!: Bucket;
  config: ThrottleConfig = DEFAULT_THROTTLE;

  constructor(config: Partial<ThrottleConfig> = {}) {
    this.configure(config);
  }

  configure(config: Partial<ThrottleConfig>): void {
    this.config = { ...DEFAULT_THROTTLE, ...config };
    this.ru = new Bucket(this.config.resourceUnits, this.config.windowSeconds * 1000);
    this.writes = new Bucket(this.config.writes, this.config.writeWindowSeconds * 1000);
  }

  check(method: string, path: string, query: URLSearchParams): ThrottleDecision {
    const cost = requestCost(method, path, query);
    const ruOk = this.ru.spend(cost);
    const isWrite = method !== 'GET' && method !== 'HEAD';
    const writeOk = isWrite ? this.writes.spend(1) : true;
    const usedFraction = this.ru.usedFraction;
    const retryAfter = (b: Bucket, n: number) => Math.max(this.config.retryAfterSeconds ?? 0, Math.ceil(b.secondsUntil(n)));
    if (!ruOk) return { allowed: false, cost, limit: 'ResourceUnitLimitExceeded', usedFraction, retryAfterSeconds: retryAfter(this.ru, cost) };
    if (!writeOk) return { allowed: false, cost, limit: 'WriteLimitExceeded', usedFraction, retryAfterSeconds: retryAfter(this.writes, 1) };
    return { allowed: true, cost, usedFraction };
  }
}
