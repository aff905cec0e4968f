/**
 * Any failure, as the operator reads it: a stable code, English text, the Graph request id. The directory
 * gateway throws `DirectoryError`s carrying a `kind` (common/directory.ts DirectoryErrorKind), an HTTP status,
 * Graph's error code and message, and the request id; they are read structurally here, so this file does not
 * depend on how the gateway builds them. Creation errors that pre-flight could not foresee (the target's
 * roles, group targets) are mapped to what they mean.
 *
 * Never puts a pass in the text: texts are fixed strings plus numbers, not echoes of error messages.
 */
import type { DirectoryErrorKind } from '../../common/directory';
import type { SessionError } from '../../common/session';

export interface ErrorFacts {
  kind: DirectoryErrorKind | 'unknown';
  status: number | null;
  code: string | null;
  message: string;
  requestId: string | null;
}

const KINDS: readonly string[] = ['bad-input', 'not-found', 'forbidden', 'bad-request', 'throttled', 'unavailable', 'network', 'timeout', 'unauthenticated'];

export function errorFacts(error: unknown): ErrorFacts {
  if (typeof error !== 'object' || error === null) return { kind: 'unknown', status: null, code: null, message: '', requestId: null };
  const e = error as Record<string, unknown>;
  const kind = typeof e.kind === 'string' && KINDS.includes(e.kind) ? (e.kind as DirectoryErrorKind) : 'unknown';
  const str = (v: unknown) => (typeof v === 'string' ? v : null);
  return {
    kind,
    status: typeof e.status === 'number' ? e.status : null,
    code: str(e.code) ?? str(e.graphCode),
    message: str(e.graphMessage) ?? str(e.message) ?? '',
    requestId: str(e.requestId),
  };
}

/** The gateway's error, also when the TAP issuer wrapped it (`TapIssueError` with the DirectoryError as cause). */
function inner(error: unknown): unknown {
  if (typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'TapIssueError') {
    const cause = (error as { cause?: unknown }).cause;
    if (cause !== undefined) return cause;
  }
  return error;
}

export function isUnauthenticated(error: unknown): boolean {
  return errorFacts(inner(error)).kind === 'unauthenticated';
}

const ISSUE_TEXTS: Record<string, { code: string; text: string }> = {
  'not-delivered': {
    code: 'tap.answer-lost',
    text: 'Microsoft’s answer to creating the pass was lost (no answer, a time-out or a server error). Microsoft was checked and nothing was left behind (a pass created meanwhile was deleted unseen). Issue a new one.',
  },
  unresolved: {
    code: 'tap.unresolved',
    text: 'Microsoft’s answer to creating the pass was lost (no answer, a time-out or a server error), and Microsoft could not be asked whether a pass exists. Any pass is deleted as soon as Microsoft answers, at the latest at the next start.',
  },
  'journal-failed': { code: 'audit.failed', text: 'The audit journal could not be written, so no pass was requested. Call the administrator.' },
  'existing-tap': { code: 'tap.existing', text: 'The person already holds a pass. Confirm replacing it first.' },
  cancelled: { code: 'tap.cancelled', text: 'Issuing the pass was cancelled.' },
};

const REFUSALS: Record<string, string> = {
  'policy-excludes-user': 'Microsoft refused to issue the pass: the Temporary Access Pass policy does not cover this user.',
  'external-guest': 'Microsoft refused: a pass cannot be issued to an external guest.',
  'one-time-required': 'Microsoft refused a multi-use pass: the policy allows one-time passes only.',
  'not-permitted-for-target':
    'Microsoft refused to issue the pass: your role may not act on this user (an administrator, or a member of a role-assignable group), or the pass is for yourself.',
};

const GENERIC: Record<ErrorFacts['kind'], string> = {
  'bad-input': 'That search text cannot be used. Type a name, a UPN, an e-mail address or an employee id.',
  'not-found': 'The user was not found. They may have been deleted; search again.',
  forbidden: 'Your role is not allowed to do this.',
  'bad-request': 'Microsoft Graph refused the request.',
  throttled: 'Microsoft Graph is busy (too many requests). Wait a minute and try again.',
  unavailable: 'Microsoft Graph is not available right now. Try again in a moment.',
  network: 'No connection to Microsoft. Check the network and try again.',
  timeout: 'Microsoft Graph did not answer in time. Try again.',
  unauthenticated: 'Your sign-in has ended. Sign in again.',
  unknown: 'Something unexpected went wrong.',
};

/** Map a failure at `step` to what the operator is told. */
export function describeFailure(step: string, error: unknown): SessionError {
  if (typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'TapIssueError') {
    const e = error as { code?: unknown; details?: { failure?: { requestId?: string } }; cause?: unknown };
    if (e.code === 'graph-refused' && e.cause !== undefined) return describeFailure(step, e.cause);
    const known = typeof e.code === 'string' ? ISSUE_TEXTS[e.code] : undefined;
    if (known) return { ...known, step, requestId: e.details?.failure?.requestId ?? null };
  }
  const f = errorFacts(error);
  const base = { step, requestId: f.requestId };
  const reason = typeof error === 'object' && error !== null ? (error as { reason?: unknown }).reason : undefined;
  if (step === 'issue' && typeof reason === 'string') {
    if (reason === 'lifetime-out-of-range') {
      const range = (error as { lifetimeRange?: { min: number; max: number } }).lifetimeRange;
      return {
        ...base,
        code: 'tap.lifetime-refused',
        text: range ? `Microsoft refused the lifetime: the policy allows ${range.min} to ${range.max} minutes.` : 'Microsoft refused the lifetime: it is outside what the policy allows.',
      };
    }
    const text = REFUSALS[reason];
    if (text) return { ...base, code: `tap.${reason}`, text };
  }
  if (step === 'issue') {
    if (f.kind === 'forbidden') {
      return {
        ...base,
        code: 'tap.forbidden',
        text: 'Microsoft refused to issue the pass: your role may not act on this user (an administrator, or a member of a role-assignable group), or the pass is for yourself.',
      };
    }
    if (f.kind === 'bad-request') {
      if (/UserCredentialPolicy/i.test(f.message)) {
        return { ...base, code: 'tap.policy-refused', text: 'Microsoft refused to issue the pass: the Temporary Access Pass policy does not cover this user.' };
      }
      if (/LifetimeInMinutes/i.test(f.message)) {
        const range = /between\s+(\d+)\s+and\s+(\d+)/i.exec(f.message);
        return {
          ...base,
          code: 'tap.lifetime-refused',
          text: range ? `Microsoft refused the lifetime: the policy allows ${range[1]} to ${range[2]} minutes.` : 'Microsoft refused the lifetime: it is outside what the policy allows.',
        };
      }
      if (/external guest/i.test(f.message)) return { ...base, code: 'tap.external-guest', text: 'Microsoft refused: a pass cannot be issued to an external guest.' };
      if (/usable ?once|isUsableOnce/i.test(f.message)) return { ...base, code: 'tap.one-time-forced', text: 'Microsoft refused a multi-use pass: the policy allows one-time passes only.' };
      return { ...base, code: 'tap.refused', text: 'Microsoft refused to issue the pass.' };
    }
  }
  return { ...base, code: `graph.${f.kind}`, text: GENERIC[f.kind] };
}
