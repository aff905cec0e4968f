/**
 * What the TAP lifecycle needs to know about a failed Graph call, read structurally from the gateway's
 * `DirectoryError` (directory/errors.ts: kind, status, code, requestId, retryAfterSeconds), so that a fake
 * DirectoryPort in a test can throw the same facts.
 *
 * The one decision made here: did the call possibly change something at Microsoft? A request that got no
 * answer (connection dropped, timeout) or a 5xx may have been committed; a 4xx or a 429 was not.
 */
import type { DirectoryErrorKind } from '../../common/directory';

export interface GraphFailure {
  kind: DirectoryErrorKind | 'unknown';
  status: number | undefined;
  /** Graph's error code, or the kind when Graph sent none; in the shape the audit journal accepts. */
  code: string | undefined;
  /** In the shape the audit journal accepts, or undefined. */
  requestId: string | undefined;
  /** How long Graph asked us to wait, when it said. */
  retryAfterMs: number | undefined;
}

const KINDS: readonly string[] = ['bad-input', 'not-found', 'forbidden', 'bad-request', 'throttled', 'unavailable', 'network', 'timeout', 'unauthenticated'];
const AUDIT_CODE = /^[A-Za-z0-9_.:-]{1,80}$/;
const AUDIT_REQUEST_ID = /^[A-Za-z0-9-]{1,100}$/;

export function graphFailure(error: unknown): GraphFailure {
  const e = (typeof error === 'object' && error !== null ? error : {}) as Record<string, unknown>;
  const kind = typeof e.kind === 'string' && KINDS.includes(e.kind) ? (e.kind as DirectoryErrorKind) : 'unknown';
  const status = typeof e.status === 'number' && e.status > 0 ? e.status : undefined;
  const rawCode = typeof e.code === 'string' && AUDIT_CODE.test(e.code) ? e.code : undefined;
  const requestId = typeof e.requestId === 'string' && AUDIT_REQUEST_ID.test(e.requestId) ? e.requestId : undefined;
  const seconds = typeof e.retryAfterSeconds === 'number' && Number.isFinite(e.retryAfterSeconds) ? e.retryAfterSeconds : undefined;
  const ms = typeof e.retryAfterMs === 'number' && Number.isFinite(e.retryAfterMs) ? e.retryAfterMs : undefined;
  return {
    kind,
    status,
    code: rawCode ?? (kind === 'unknown' ? undefined : kind),
    requestId,
    retryAfterMs: ms ?? (seconds !== undefined ? seconds * 1000 : undefined),
  };
}

/** The call may have been committed at Microsoft although we got no success answer. */
export function outcomeUnknown(failure: GraphFailure): boolean {
  if (failure.kind === 'network' || failure.kind === 'timeout' || failure.kind === 'unknown') return true;
  if (failure.kind === 'unavailable') return true;
  return failure.status !== undefined && failure.status >= 500;
}

/** Graph says the object is not there (a deletion's goal reached). */
export function isGone(failure: GraphFailure): boolean {
  return failure.kind === 'not-found' || failure.status === 404 || failure.status === 410;
}
