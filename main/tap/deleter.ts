/**
 * Deleting TAPs, and not giving up: `delete(tap, reason)` calls Graph at once; a deletion that fails stays
 * PENDING and is retried with capped exponential back-off (Retry-After wins when Graph sends one) until it
 * succeeds. Graph answering 404 means the TAP is already gone: that counts as deleted.
 *
 * The journal gets one record per outcome: `tap.delete-failed` for every failed attempt (attempt number, HTTP
 * status, Graph code, request id), then `tap.deleted` with the reason once it is gone. Until then
 * `pendingTaps()` (audit/read.ts) lists it, so a deletion still pending when the station stops is picked up
 * by crash recovery at the next start, with its attempt count carried on.
 *
 * One queue per station, shared by the session (completed, cancelled, window or lifetime expired, sign-out,
 * quit), the issuer (reconciliation) and crash recovery. Asking again for a TAP already queued joins the
 * queued deletion instead of racing it.
 */
import type { TAP_DELETE_REASONS } from '../audit';
import { auditEvents } from '../audit';
import type { AuditPort, ClockPort, TapDirectoryPort } from './ports';
import { graphFailure, isGone, type GraphFailure } from '../directory/failure';
import { backoffDelay, delayHonouringRetryAfter, systemTimers, type BackoffOptions, type TimerHandle, type Timers } from './scheduling';

export type TapDeleteReason = (typeof TAP_DELETE_REASONS)[number];

/** A TAP the station created (or may have), as the journal knows it. */
export interface TapRef {
  intentId: string;
  enrollmentId?: string | undefined;
  user: { id: string; upn: string };
  tapMethodId: string;
}

export interface PendingDeletion extends TapRef {
  reason: TapDeleteReason;
  /** Attempts so far, including those of an earlier run (crash recovery). */
  attempts: number;
  /** Epoch ms of the next attempt, or null while one is running. */
  nextAttemptAt: number | null;
  lastFailure: GraphFailure | null;
}

export type DeletionOutcome = { deleted: true; requestId: string | undefined; attempts: number } | { deleted: false; pending: PendingDeletion };

export interface TapDeleterDeps {
  directory: Pick<TapDirectoryPort, 'deleteTap'>;
  audit: AuditPort;
  clock?: ClockPort;
  timers?: Timers;
  /**
   * The journal refused a record (disk trouble). The deletion itself goes on: a TAP at Microsoft matters more
   * than the line about it. The session should treat this as a station fault.
   */
  onJournalError?: (error: unknown) => void;
  /** The queue changed (a deletion failed and is pending, or a pending one succeeded): for the station's screen. */
  onChange?: (pending: PendingDeletion[]) => void;
}

export interface TapDeleterOptions {
  /** Default: 2 s, doubling, capped at 2 minutes. */
  backoff?: BackoffOptions;
}

export const DEFAULT_DELETE_BACKOFF: BackoffOptions = { initialMs: 2_000, factor: 2, maxMs: 120_000 };

interface Entry {
  tap: TapRef;
  reason: TapDeleteReason;
  attempts: number;
  /** Failures in this run (drives the back-off; a restart starts gently again). */
  failures: number;
  running: Promise<DeletionOutcome> | null;
  timer: TimerHandle | null;
  nextAttemptAt: number | null;
  lastFailure: GraphFailure | null;
  settled: Promise<void>;
  resolve: () => void;
}

export class TapDeleter {
  readonly #directory: Pick<TapDirectoryPort, 'deleteTap'>;
  readonly #audit: AuditPort;
  readonly #clock: ClockPort;
  readonly #timers: Timers;
  readonly #backoff: BackoffOptions;
  readonly #onJournalError: (error: unknown) => void;
  readonly #onChange: (pending: PendingDeletion[]) => void;
  readonly #queue = new Map<string, Entry>();
  #stopped = false;

  constructor(deps: TapDeleterDeps, options: TapDeleterOptions = {}) {
    this.#directory = deps.directory;
    this.#audit = deps.audit;
    this.#clock = deps.clock ?? { now: () => Date.now() };
    this.#timers = deps.timers ?? systemTimers;
    this.#backoff = options.backoff ?? DEFAULT_DELETE_BACKOFF;
    this.#onJournalError = deps.onJournalError ?? (() => undefined);
    this.#onChange = deps.onChange ?? (() => undefined);
  }

  /**
   * Delete now; resolves after this first attempt with `deleted: true`, or `deleted: false` and the pending
   * entry that will be retried. Never rejects. `priorAttempts`: attempts an earlier run already made.
   */
  delete(tap: TapRef, reason: TapDeleteReason, options: { priorAttempts?: number } = {}): Promise<DeletionOutcome> {
    const queued = this.#queue.get(tap.intentId);
    if (queued) return queued.running ?? Promise.resolve({ deleted: false, pending: this.#view(queued) });
    let resolve: () => void = () => undefined;
    const settled = new Promise<void>((r) => (resolve = r));
    const entry: Entry = {
      tap,
      reason,
      attempts: Math.max(0, options.priorAttempts ?? 0),
      failures: 0,
      running: null,
      timer: null,
      nextAttemptAt: null,
      lastFailure: null,
      settled,
      resolve,
    };
    this.#queue.set(tap.intentId, entry);
    return this.#attempt(entry);
  }

  /** Deletions not yet done, oldest first. */
  pending(): PendingDeletion[] {
    return [...this.#queue.values()].map((entry) => this.#view(entry));
  }

  /** Resolves once this TAP is deleted (at once if it is not queued). */
  settled(intentId: string): Promise<void> {
    return this.#queue.get(intentId)?.settled ?? Promise.resolve();
  }

  /** Try every pending deletion now instead of waiting out its back-off (the operator signed in again, say). */
  retryNow(): void {
    for (const entry of this.#queue.values()) {
      if (entry.running) continue;
      this.#cancelTimer(entry);
      void this.#attempt(entry);
    }
  }

  /**
   * For quit: try every pending deletion now and wait until all are done or `timeoutMs` has passed. Resolves
   * with what is still pending (the journal keeps it for crash recovery at the next start).
   */
  async drain(timeoutMs: number): Promise<PendingDeletion[]> {
    if (this.#queue.size === 0) return [];
    this.retryNow();
    let timer: TimerHandle | null = null;
    const timeout = new Promise<void>((resolve) => {
      timer = this.#timers.setTimeout(resolve, timeoutMs);
    });
    const all = Promise.all([...this.#queue.values()].map((entry) => entry.settled)).then(() => undefined);
    await Promise.race([all, timeout]);
    if (timer !== null) this.#timers.clearTimeout(timer);
    return this.pending();
  }

  /** Stop retrying (the process is going away). Pending deletions stay in the journal. */
  stop(): void {
    this.#stopped = true;
    for (const entry of this.#queue.values()) this.#cancelTimer(entry);
  }

  #attempt(entry: Entry): Promise<DeletionOutcome> {
    const run = this.#run(entry).finally(() => {
      entry.running = null;
    });
    entry.running = run;
    entry.nextAttemptAt = null;
    return run;
  }

  async #run(entry: Entry): Promise<DeletionOutcome> {
    const { tap } = entry;
    entry.attempts += 1;
    let requestId: string | undefined;
    let failure: GraphFailure | null = null;
    try {
      requestId = (await this.#directory.deleteTap(tap.user.id, tap.tapMethodId)).requestId ?? undefined;
    } catch (error) {
      const read = graphFailure(error);
      if (isGone(read)) requestId = read.requestId;
      else failure = read;
    }
    if (failure === null) {
      this.#queue.delete(tap.intentId);
      entry.resolve();
      await this.#record(() =>
        auditEvents.tapDeleted({
          ...(tap.enrollmentId ? { enrollmentId: tap.enrollmentId } : {}),
          intentId: tap.intentId,
          user: tap.user,
          tapMethodId: tap.tapMethodId,
          reason: entry.reason,
          ...(requestId ? { requestId } : {}),
        }),
      );
      if (entry.failures > 0) this.#onChange(this.pending());
      return { deleted: true, requestId, attempts: entry.attempts };
    }
    entry.failures += 1;
    entry.lastFailure = failure;
    await this.#record(() =>
      auditEvents.tapDeleteFailed({
        ...(tap.enrollmentId ? { enrollmentId: tap.enrollmentId } : {}),
        intentId: tap.intentId,
        user: tap.user,
        tapMethodId: tap.tapMethodId,
        attempt: entry.attempts,
        ...(failure.status !== undefined ? { status: failure.status } : {}),
        ...(failure.code ? { code: failure.code } : {}),
        ...(failure.requestId ? { requestId: failure.requestId } : {}),
      }),
    );
    if (!this.#stopped) {
      const delay = delayHonouringRetryAfter(backoffDelay(entry.failures, this.#backoff), failure.retryAfterMs);
      entry.nextAttemptAt = this.#clock.now() + delay;
      entry.timer = this.#timers.setTimeout(async () => {
        entry.timer = null;
        if (!this.#stopped && this.#queue.get(tap.intentId) === entry && !entry.running) await this.#attempt(entry);
      }, delay);
    }
    if (entry.failures === 1) this.#onChange(this.pending());
    return { deleted: false, pending: this.#view(entry) };
  }

  async #record(build: () => Parameters<AuditPort['append']>[0]): Promise<void> {
    try {
      await this.#audit.append(build());
    } catch (error) {
      this.#onJournalError(error);
    }
  }

  #cancelTimer(entry: Entry): void {
    if (entry.timer !== null) this.#timers.clearTimeout(entry.timer);
    entry.timer = null;
    entry.nextAttemptAt = null;
  }

  #view(entry: Entry): PendingDeletion {
    return {
      ...entry.tap,
      reason: entry.reason,
      attempts: entry.attempts,
      nextAttemptAt: entry.nextAttemptAt,
      lastFailure: entry.lastFailure,
    };
  }
}
