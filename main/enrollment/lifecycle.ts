/**
 * What the session machine asks of the TAP lifecycle services (tap/issuer.ts, tap/deleter.ts, tap/completion.ts,
 * recovery.ts): the four jobs, as one interface, so the machine stays free of I/O and tests can fake them.
 * tap-lifecycle.ts adapts the real services to it.
 */
import type { IssueNotice } from '../../common/codes';
import type { SecurityKeyMethod, TapMethod } from '../../common/directory';

export interface UserRef {
  id: string;
  upn: string;
}

export interface OperatorRef {
  id: string;
  upn: string;
}

export interface IssueRequest {
  enrollmentId: string;
  operator: OperatorRef;
  user: UserRef;
  lifetimeMinutes: number;
  oneTime: boolean;
  /** The operator confirmed replacing the TAP the user holds. */
  replaceExisting: boolean;
  /** The user's TAPs as read on the identity card (saves a list request). */
  knownTaps: TapMethod[];
  /** The person's createdDateTime (identity card): a brand-new account is waited for (tap/issuer.ts step 7). */
  userCreatedDateTime: string | null;
  /** Each wait for a brand-new account (epoch ms), and null when the issuer tries again. */
  onWaiting?: (wait: IssueWait | null) => void;
}

export interface IssueWait {
  nextAttemptAt: number;
  retryUntil: number;
}

/** The pass, handed out once (a lost answer is reconciled by the issuer and thrown as `not-delivered`). */
export interface IssueOutcome {
  intentId: string;
  tap: TapMethod;
  pass: string;
  requestId: string | null;
  /** What the operator must be told about how it was issued (its lifetime fitted to the tenant's policy). */
  notices: IssueNotice[];
}

export interface DeleteRequest {
  enrollmentId: string | null;
  intentId: string;
  user: UserRef;
  tapId: string;
  reason: 'completed' | 'cancelled' | 'window-expired' | 'lifetime-expired' | 'signed-out' | 'quit' | 'replaced' | 'failed';
}

export interface SignInObserved {
  via: 'tap-used' | 'view-navigated';
  /** Epoch ms. */
  at: number;
}

export interface Registration {
  method: SecurityKeyMethod;
  /** The registered AAGUID is the one of the key attached to this station. */
  stationKey: boolean;
}

export interface WatchRequest {
  enrollmentId: string;
  user: UserRef;
  tap: TapMethod;
  /** AAGUID of the key identified at pre-flight. */
  stationAaguid: string | null;
}

export interface LifecyclePort {
  /** Journals the intent, creates the TAP, journals it as issued; reconciles after a dropped connection. */
  issue(request: IssueRequest, signal: AbortSignal): Promise<IssueOutcome>;
  /** Deletes now, or queues the deletion to be retried until it succeeds. Never throws. */
  delete(request: DeleteRequest): Promise<{ deleted: boolean }>;
  /** Resolves when the user has signed in with the pass (TAP OneTimeUsed, or the view navigated past sign-in);
   *  journals `signin.observed`. Keeps polling through Graph failures; the machine's timers bound it. */
  awaitSignIn(request: WatchRequest, signal: AbortSignal): Promise<SignInObserved>;
  /** Resolves when a security key created after the TAP appears in fido2Methods; journals `key.registered`. */
  awaitRegistration(request: WatchRequest & { signedIn: SignInObserved }, signal: AbortSignal): Promise<Registration>;
  /** Deletions still queued. */
  pendingDeletions(): number;
  /** Waits for the queue to empty, at most `timeoutMs`; resolves with what is left. */
  drain(timeoutMs: number): Promise<number>;
}
