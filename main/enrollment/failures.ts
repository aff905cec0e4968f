/**
 * Any failure, as the operator is told it: (step, classification) → one code of common/codes.ts
 * `SESSION_ERRORS`, with its parameters and Graph's request id. The classification is the directory's
 * (`graphFailure` in main/directory/failure.ts: kind, the creation refusal, the policy's lifetime range); nothing
 * here reads an error's text. The renderer's locale files word the code.
 */
import { graphFailure } from '../directory/failure';
import type { SessionErrorCode } from '../../common/codes';
import type { SessionError } from '../../common/session';

/** The gateway's error, also when the TAP issuer wrapped it (`TapIssueError` with the DirectoryError as cause). */
function inner(error: unknown): unknown {
  if (typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'TapIssueError') {
    const cause = (error as { cause?: unknown }).cause;
    if (cause !== undefined) return cause;
  }
  return error;
}

export function isUnauthenticated(error: unknown): boolean {
  return graphFailure(inner(error)).kind === 'unauthenticated';
}

/** The TAP issuer's own outcomes (main/tap/issue-errors.ts `TapIssueError` codes). */
const ISSUE_CODES: Readonly<Record<string, SessionErrorCode>> = {
  'not-delivered': 'tap.answer-lost',
  unresolved: 'tap.unresolved',
  'journal-failed': 'audit.failed',
  'journal-failed-withdrawn': 'audit.withdrawn',
  'existing-tap': 'tap.existing',
  cancelled: 'tap.cancelled',
  'account-not-ready': 'tap.account-too-new',
};

type ParamlessCode = Exclude<SessionErrorCode, 'tap.lifetime-refused' | 'access.missing-permission'>;

/** A session error whose code has no parameters. */
export function sessionError(code: ParamlessCode, step: string, requestId: string | null = null): SessionError {
  return { code, params: {}, step, requestId } as SessionError;
}

/** What `describeFailure` made of `error`, under another code (the step's own meaning), keeping its request id. */
export function failureAs(code: ParamlessCode, step: string, error: unknown): SessionError {
  return sessionError(code, step, describeFailure(step, error).requestId);
}

/** Map a failure at `step` to what the operator is told. */
export function describeFailure(step: string, error: unknown): SessionError {
  if (typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'TapIssueError') {
    const e = error as { code?: unknown; details?: { failure?: { requestId?: string } }; cause?: unknown };
    if (e.code === 'graph-refused' && e.cause !== undefined) return describeFailure(step, e.cause);
    const known = typeof e.code === 'string' ? ISSUE_CODES[e.code] : undefined;
    if (known) return sessionError(known as ParamlessCode, step, e.details?.failure?.requestId ?? null);
  }
  // The journal refused a write (audit/journal.ts): nothing more was done, whatever the step.
  if (typeof error === 'object' && error !== null && ['JournalBrokenError', 'JournalUnwritableError'].includes(String((error as { name?: unknown }).name)))
    return sessionError('audit.failed', step);
  const f = graphFailure(error);
  // The raw request id (graphFailure keeps only the journal-safe shape; the screen shows what Graph sent).
  const raw = typeof error === 'object' && error !== null ? (error as { requestId?: unknown }).requestId : undefined;
  const requestId = typeof raw === 'string' ? raw : null;
  // A 403 the operator's token or role explains (directory/access.ts `forbiddenCause`), at any step.
  if (f.forbidden === 'missing-permission' && f.missingPermission !== undefined) {
    return { code: 'access.missing-permission', params: { permission: f.missingPermission }, step, requestId };
  }
  if (f.forbidden === 'missing-role') return sessionError('access.missing-role', step, requestId);
  if (f.forbidden === 'target-out-of-reach' && step !== 'issue') return sessionError('access.target-out-of-reach', step, requestId);
  if (step === 'issue') {
    if (f.refusal === 'lifetime-out-of-range') {
      return { code: 'tap.lifetime-refused', params: { range: f.lifetimeRange ?? null }, step, requestId };
    }
    // Not found: a person created moments ago is retried by the issuer (→ tap.account-too-new); else gone.
    if (f.refusal && f.refusal !== 'user-not-found') return sessionError(`tap.${f.refusal}`, step, requestId);
    if (f.kind === 'forbidden') return sessionError('tap.not-permitted-for-target', step, requestId);
    if (f.kind === 'bad-request') return sessionError('tap.refused', step, requestId);
  }
  return sessionError(f.kind === 'unknown' ? 'unexpected' : `graph.${f.kind}`, step, requestId);
}

/**
 * A lost-key step (listing, removing a key, revoking sessions) that failed. The journal's two ways of failing get
 * codes of their own: refused up front (the probe before the change, `JournalUnwritableError`: nothing was done at
 * Microsoft) and failed while recording what Microsoft had just done (`JournalBrokenError`: done, not recorded).
 */
export function describeLostKeyFailure(error: unknown): SessionError {
  const name = typeof error === 'object' && error !== null ? String((error as { name?: unknown }).name) : '';
  if (name === 'JournalUnwritableError') return sessionError('audit.lost-key-refused', 'lost-key');
  if (name === 'JournalBrokenError') return sessionError('audit.lost-key-unrecorded', 'lost-key');
  return describeFailure('lost-key', error);
}
