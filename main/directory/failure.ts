// The classification the rest of the app reads: any failure of a Graph call, read structurally (`graphFailure`),
// for the session (enrollment/failures.ts → a code of common/codes.ts) and the TAP lifecycle (main/tap/), which
// branch on these facts, never on wording. The one decision made here: did the call possibly change something at
// Microsoft? A request that got no answer (connection dropped, timeout) or a 5xx may have been committed; a 4xx or
// a 429 was not (`outcomeUnknown`).
import type { DirectoryErrorKind } from '../../common/directory';
import type { ForbiddenCause } from './access';
import type { TapCreationRefusal } from './errors';

export interface GraphFailure {
  kind: DirectoryErrorKind | 'unknown';
  status: number | undefined;
  /** Graph's error code, or the kind when Graph sent none; in the shape the audit journal accepts. */
  code: string | undefined;
  /** In the shape the audit journal accepts, or undefined. */
  requestId: string | undefined;
  /** How long Graph asked us to wait, when it said. */
  retryAfterMs: number | undefined;
  /** A known refusal of creating a pass (set by `fromResponse` for a create). */
  refusal: TapCreationRefusal | undefined;
  /** The policy's lifetime range, when the refusal is `lifetime-out-of-range` and Graph's answer named it. */
  lifetimeRange: { min: number; max: number } | undefined;
  /** A 403's cause, when the station's facts explained it. */
  forbidden: ForbiddenCause | undefined;
  /** With `missing-permission`: the permission the administrator should consent. */
  missingPermission: string | undefined;
}

const KINDS: readonly string[] = ['bad-input', 'not-found', 'forbidden', 'bad-request', 'throttled', 'unavailable', 'network', 'timeout', 'unauthenticated'];
const AUDIT_CODE = /^[A-Za-z0-9_.:-]{1,80}$/;
const AUDIT_REQUEST_ID = /^[A-Za-z0-9-]{1,100}$/;

const REFUSALS = [
  'lifetime-out-of-range',
  'policy-excludes-user',
  'external-guest',
  'one-time-required',
  'not-permitted-for-target',
  'user-not-found',
] as const satisfies readonly TapCreationRefusal[];

const FORBIDDEN_CAUSES = ['missing-permission', 'missing-role', 'target-out-of-reach'] as const satisfies readonly ForbiddenCause[];
/** A Graph permission name, e.g. UserAuthMethod-TAP.ReadWrite.All. */
const PERMISSION = /^[A-Za-z][A-Za-z0-9.-]{0,99}$/;

function rangeOf(v: unknown): { min: number; max: number } | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const { min, max } = v as { min?: unknown; max?: unknown };
  return Number.isInteger(min) && Number.isInteger(max) ? { min: min as number, max: max as number } : undefined;
}

/**
 * Any failure of a Graph call, read structurally (a `DirectoryError`, or a fake DirectoryPort's error with the
 * same fields), so the session and the TAP lifecycle branch on facts, never on wording. Non-object → `unknown`.
 */
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
    refusal: typeof e.reason === 'string' && (REFUSALS as readonly string[]).includes(e.reason) ? (e.reason as TapCreationRefusal) : undefined,
    lifetimeRange: rangeOf(e.lifetimeRange),
    forbidden:
      kind === 'forbidden' && typeof e.forbidden === 'string' && (FORBIDDEN_CAUSES as readonly string[]).includes(e.forbidden)
        ? (e.forbidden as ForbiddenCause)
        : undefined,
    missingPermission: typeof e.missingPermission === 'string' && PERMISSION.test(e.missingPermission) ? e.missingPermission : undefined,
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
