/**
 * Where the TAP gets created.
 *
 *  1. Existing TAP? A user has at most one; a new one silently replaces it at Graph. So a usable (or not yet
 *     valid) TAP is only replaced when the operator confirmed (`replaceExisting: true`); otherwise the typed
 *     `existing-tap` error, before anything is written or sent. An expired or used one replaces nothing anyone
 *     could still use, and is not asked about. The caller may pass what it read moments ago (`knownTaps`, the
 *     identity card's `tap`) to save a Graph request; without it the issuer lists the user's TAPs.
 *  2. `tap.intent` is appended to the journal and on disk (fsync) BEFORE the POST: a crash between "created
 *     at Microsoft" and "recorded here" is found by crash recovery at the next start.
 *  3. POST through `TapDirectoryPort.createTap`.
 *  4. Success: the pass goes to the journal's redaction guard first (no line can contain it from now on),
 *     then `tap.issued` (method id, lifetime, one-time; never the pass), then the caller gets an `IssuedPass`
 *     that hands the pass out exactly once.
 *  5. No answer (connection dropped, timeout, 5xx: the POST may or may not have committed): RECONCILE (reconcile.ts). List
 *     the user's TAPs; one we did not know before the POST and created after the intent is ours, but nobody
 *     can ever show its pass, so it is deleted at once (`tap.deleted`, reason `reconciliation`); none found
 *     gives `tap.not-created` (`none-found-at-reconciliation`). Either way: `not-delivered`, "nothing was left
 *     behind; try again". Never a duplicate, never an orphan. If even the list (or the delete) keeps failing,
 *     `unresolved`: the intent stays open in the journal, and crash recovery (or `reconcileIntent` in
 *     recovery.ts) finishes the job once Graph answers.
 *  6. Graph refused (4xx, 429 after the client's retries): `tap.not-created` (`graph-refused`) with the
 *     request id, and the typed `graph-refused` error carrying the gateway's error as `cause`.
 *  7. An account created minutes ago: Microsoft refuses to add a method for a minute or two after the account
 *     is created (issue 10, 3o). For a person created within `NEW_ACCOUNT_RECENT_MS`, Graph's "not found" on
 *     the create (directory/errors.ts `user-not-found`) is that delay: the whole of steps 2–6 is tried again
 *     with back-off for up to `NEW_ACCOUNT_RETRY_MS`, telling the caller each wait (`onWaitingForNewAccount`),
 *     then `account-not-ready`. Each attempt is refused before anything exists (its intent is closed with
 *     `tap.not-created`), a cancel ends the wait (`cancelled`), and an attempt without an answer reconciles as
 *     in 5 and is not retried: no attempt leaves a pass behind.
 *
 * Errors never contain the pass: they are built from fixed text, ids and the gateway's error (which is built
 * from Graph's error answers, never from the 201 body).
 */
import { randomUUID } from 'node:crypto';
import { auditEvents } from '../audit';
import type { TapMethod } from '../../common/directory';
import type { TapDirectoryPort } from './ports';
import { graphFailure, outcomeUnknown } from '../directory/failure';
import { backoffDelay, delayHonouringRetryAfter, systemTimers, type BackoffOptions, type Timers } from './scheduling';
import { PassAlreadyTakenError, TapIssueError, appendOrFail } from './issue-errors';
import { deleteThroughQueue, reconcile, type ReconcileDeps } from './reconcile';
import { LIFETIME_ADJUSTED_CODE, lifetimeRangeFromRefusal, lifetimeWithin, type LifetimeRange, type LifetimeRangeMemory } from './lifetime-range';

export interface IssueTapRequest {
  enrollmentId: string;
  operator: { id: string; upn: string };
  user: { id: string; upn: string };
  lifetimeInMinutes: number;
  isUsableOnce: boolean;
  /** The operator confirmed replacing the user's current TAP. */
  replaceExisting?: boolean;
  /** The user's TAPs as read moments ago (identity card). Omit to have the issuer list them (one request). */
  knownTaps?: readonly TapMethod[];
  /** The person's createdDateTime (identity card): a brand-new account is waited for (step 7). */
  userCreatedDateTime?: string | null;
  /** Told each time the issuer waits for a brand-new account (step 7), and `null` when it tries again. */
  onWaitingForNewAccount?: (wait: NewAccountWait | null) => void;
  signal?: AbortSignal;
}

/** Step 7's wait: when the next attempt is made, and when the station gives up (epoch ms). */
export interface NewAccountWait {
  readonly nextAttemptAt: number;
  readonly retryUntil: number;
}

/** A person created this recently may still be unknown where methods are added (step 7). */
export const NEW_ACCOUNT_RECENT_MS = 10 * 60_000;
/** How long the station keeps trying for a brand-new account (issue 10, 3o: "up to three minutes"). */
export const NEW_ACCOUNT_RETRY_MS = 3 * 60_000;
/** 10 s, 20 s, then every 40 s: Microsoft's delay is "tens of seconds … up to a minute or two". */
export const NEW_ACCOUNT_BACKOFF: BackoffOptions = { initialMs: 10_000, factor: 2, maxMs: 40_000 };

/** The journal's redaction guard (`journal.guard`). */
export interface PassGuard {
  forbid(pass: string): void;
}

export interface TapIssuerDeps extends ReconcileDeps {
  directory: Pick<TapDirectoryPort, 'createTap' | 'listTaps' | 'deleteTap'>;
  guard: PassGuard;
  /**
   * The tenant's lifetime range as learnt this session (lifetime-range.ts). With it, a lifetime the tenant's
   * policy refused once is adjusted before the POST; a lifetime refusal naming the range is answered with one
   * more request at the shortest allowed lifetime.
   */
  lifetimeRange?: LifetimeRangeMemory;
  /** Epoch ms now (step 7's deadline). Default `Date.now`. */
  now?: () => number;
}

/** The TAP as issued, and its pass, which can be taken exactly once. */
export interface IssuedPass {
  readonly intentId: string;
  readonly enrollmentId: string;
  readonly user: { id: string; upn: string };
  /** Graph's view of the TAP, without the pass. */
  readonly tap: TapMethod;
  readonly requestId: string | null;
  /** The id of the TAP this one replaced, when it replaced one. */
  readonly replacedTapMethodId: string | null;
  /** The pass, the first time; `PassAlreadyTakenError` after that. The holder keeps no reference. */
  takePass(): string;
  /** Whether the pass was taken (or dropped). */
  readonly passTaken: boolean;
  /** Forget the pass without showing it (the session ended before it was shown). */
  dropPass(): void;
  /** Set when the pass was issued with another lifetime than asked for, to fit the tenant's policy. */
  readonly lifetimeAdjusted?: { code: typeof LIFETIME_ADJUSTED_CODE; requested: number; issued: number; range: LifetimeRange };
}

/** A TAP nobody can still use, whose replacement needs no confirmation. */
const DEAD: ReadonlySet<string> = new Set(['Expired', 'OneTimeUsed']);

export async function issueTap(request: IssueTapRequest, deps: TapIssuerDeps): Promise<IssuedPass> {
  // A range learnt earlier this session: ask for a lifetime the policy allows straight away.
  const known = deps.lifetimeRange?.get() ?? null;
  const fitted = known ? lifetimeWithin(known, request.lifetimeInMinutes) : null;
  if (known && fitted !== null) {
    const issued = await issueWaitingForNewAccount({ ...request, lifetimeInMinutes: fitted }, deps);
    return adjusted(issued, { code: LIFETIME_ADJUSTED_CODE, requested: request.lifetimeInMinutes, issued: fitted, range: known });
  }
  try {
    return await issueWaitingForNewAccount(request, deps);
  } catch (error) {
    // Graph refused the lifetime (nothing was created, and tap.not-created is recorded): learn the range, and
    // ask once more with the shortest lifetime it allows. Without both numbers the refusal stands.
    const range = error instanceof TapIssueError && error.code === 'graph-refused' ? lifetimeRangeFromRefusal(error.cause) : null;
    const retry = range ? lifetimeWithin(range, request.lifetimeInMinutes) : null;
    if (!range || retry === null) throw error;
    deps.lifetimeRange?.remember(range);
    const issued = await issueWaitingForNewAccount({ ...request, lifetimeInMinutes: retry }, deps);
    return adjusted(issued, { code: LIFETIME_ADJUSTED_CODE, requested: request.lifetimeInMinutes, issued: retry, range });
  }
}

/** `p` with the note that its lifetime was fitted to the policy; the pass itself stays in `p` alone. */
function adjusted(p: IssuedPass, lifetimeAdjusted: NonNullable<IssuedPass['lifetimeAdjusted']>): IssuedPass {
  return {
    intentId: p.intentId,
    enrollmentId: p.enrollmentId,
    user: p.user,
    tap: p.tap,
    requestId: p.requestId,
    replacedTapMethodId: p.replacedTapMethodId,
    get passTaken() {
      return p.passTaken;
    },
    takePass: () => p.takePass(),
    dropPass: () => p.dropPass(),
    lifetimeAdjusted,
  };
}

/** Step 7: steps 2–6, tried again while a brand-new account is not yet known where methods are added. */
async function issueWaitingForNewAccount(request: IssueTapRequest, deps: TapIssuerDeps): Promise<IssuedPass> {
  const now = deps.now ?? Date.now;
  const created = Date.parse(request.userCreatedDateTime ?? '');
  const recent = Number.isFinite(created) && now() - created < NEW_ACCOUNT_RECENT_MS;
  const retryUntil = now() + NEW_ACCOUNT_RETRY_MS;
  for (let failures = 1; ; failures += 1) {
    try {
      return await issueOnce(request, deps);
    } catch (error) {
      const refused = error instanceof TapIssueError && error.code === 'graph-refused' ? error : null;
      const failure = refused?.details.failure;
      if (!recent || !refused || failure?.refusal !== 'user-not-found') throw error;
      const left = retryUntil - now();
      if (left <= 0) {
        throw new TapIssueError(
          'account-not-ready',
          'The account was created moments ago and Microsoft still cannot add a pass to it; nothing was issued.',
          { ...(refused.details.intentId ? { intentId: refused.details.intentId } : {}), failure },
          { cause: refused.cause },
        );
      }
      const wait = Math.min(left, delayHonouringRetryAfter(backoffDelay(failures, NEW_ACCOUNT_BACKOFF), failure.retryAfterMs));
      request.onWaitingForNewAccount?.({ nextAttemptAt: now() + wait, retryUntil });
      await pause(wait, deps.timers ?? systemTimers, request.signal);
      request.onWaitingForNewAccount?.(null);
    }
  }
}

/** Waits `ms`; a cancel (the signal) ends the wait with `cancelled`, before any further request. */
function pause(ms: number, timers: Timers, signal: AbortSignal | undefined): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const cancelled = () => new TapIssueError('cancelled', 'Issuing the Temporary Access Pass was cancelled.');
    if (signal?.aborted) return reject(cancelled());
    const onAbort = () => {
      timers.clearTimeout(handle);
      reject(cancelled());
    };
    const handle = timers.setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

async function issueOnce(request: IssueTapRequest, deps: TapIssuerDeps): Promise<IssuedPass> {
  const { enrollmentId, operator, user, signal } = request;
  if (signal?.aborted) throw new TapIssueError('cancelled', 'Issuing the Temporary Access Pass was cancelled.');

  // 1. What the user holds now. (A failure here is the gateway's DirectoryError: nothing written, nothing sent.)
  const before = request.knownTaps ?? (await deps.directory.listTaps(user.id, signal));
  const live = before.find((tap) => !DEAD.has(tap.methodUsabilityReason));
  if (live && request.replaceExisting !== true) {
    throw new TapIssueError('existing-tap', 'This person already holds a Temporary Access Pass; replace it only after confirming.', { existing: live });
  }
  const replaced = before[0] ?? null;

  // 2. The intent, on disk before anything leaves the station.
  const intentId = randomUUID();
  let intentAt: number;
  try {
    const record = await deps.audit.append(
      auditEvents.tapIntent({
        enrollmentId,
        intentId,
        operator,
        user,
        lifetimeMinutes: request.lifetimeInMinutes,
        oneTime: request.isUsableOnce,
        ...(replaced ? { replacesTapMethodId: replaced.id } : {}),
      }),
    );
    // The journal's own time, as crash recovery will read it.
    intentAt = Date.parse(record.ts);
  } catch (error) {
    throw new TapIssueError('journal-failed', 'The audit journal could not record the intent, so no pass was requested.', { intentId }, { cause: error });
  }

  // 3. The POST.
  let issued;
  try {
    // No signal: once the intent is written, the answer must be heard (a cancelled POST may still commit).
    issued = await deps.directory.createTap(user.id, { lifetimeInMinutes: request.lifetimeInMinutes, isUsableOnce: request.isUsableOnce });
  } catch (error) {
    const failure = graphFailure(error);
    if (!outcomeUnknown(failure)) {
      // 6. Refused: nothing was created.
      await appendOrFail(
        deps.audit,
        auditEvents.tapNotCreated({ enrollmentId, intentId, user, reason: 'graph-refused', ...(failure.requestId ? { requestId: failure.requestId } : {}) }),
        intentId,
      );
      throw new TapIssueError('graph-refused', 'Microsoft Graph refused to create the Temporary Access Pass.', { intentId, failure }, { cause: error });
    }
    // 5. Maybe created: find out and leave nothing behind.
    throw await reconcile({ enrollmentId, intentId, user, intentAt, known: before.map((t) => t.id), failure, cause: error }, deps);
  }

  // 4. The pass: guarded first, recorded without it, handed out once.
  let pass: string | null = issued.temporaryAccessPass;
  deps.guard.forbid(pass);
  const tap: TapMethod = {
    id: issued.id,
    createdDateTime: issued.createdDateTime,
    startDateTime: issued.startDateTime,
    lifetimeInMinutes: issued.lifetimeInMinutes,
    isUsableOnce: issued.isUsableOnce,
    isUsable: issued.isUsable,
    methodUsabilityReason: issued.methodUsabilityReason,
  };
  try {
    await deps.audit.append(
      auditEvents.tapIssued({
        enrollmentId,
        intentId,
        user,
        method: { id: tap.id, lifetimeInMinutes: tap.lifetimeInMinutes, isUsableOnce: tap.isUsableOnce, startDateTime: tap.startDateTime },
        ...(issued.requestId ? { requestId: issued.requestId } : {}),
      }),
    );
  } catch (error) {
    // Not recorded means not issued: the pass is never shown. Withdrawn through the station's retrying deleter
    // (a failed DELETE is retried with back-off, and drained at quit), not one DELETE that may fail; the open
    // intent lets crash recovery find it if the station stops first.
    pass = null;
    await deleteThroughQueue(deps, { intentId, enrollmentId, user, tapMethodId: tap.id }, 'failed');
    throw new TapIssueError(
      'journal-failed-withdrawn',
      'The audit journal could not record the new pass, so it was withdrawn and not shown.',
      { intentId },
      { cause: error },
    );
  }

  let taken = false;
  return {
    intentId,
    enrollmentId,
    user,
    tap,
    requestId: issued.requestId,
    replacedTapMethodId: replaced?.id ?? null,
    get passTaken() {
      return taken;
    },
    takePass() {
      if (taken || pass === null) throw new PassAlreadyTakenError();
      const out = pass;
      pass = null;
      taken = true;
      return out;
    },
    dropPass() {
      pass = null;
      taken = true;
    },
  };
}
