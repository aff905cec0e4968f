// The one place that classifies a Graph failure: a `DirectoryError` with a kind (common/directory.ts
// `DirectoryErrorKind`), the HTTP status and Graph error code when there was an answer, the Graph request id (from
// the error body's innerError, else the `request-id` response header), for a pass's creation the documented
// refusal (`reason`, with the policy's lifetime range when Graph names it), and for a 403 its cause (access.ts
// `forbiddenCause`). failure.ts reads that classification structurally for the session and main/tap/. Nothing
// here words a message for the screen: `message` is for log lines only.
// Sources:
//   - an HTTP answer that is not 2xx (the gateway reads every response raw): `fromResponse`
//   - the Graph client library's GraphError (network failures surface as statusCode -1): `fromGraphClientError`
//   - our own per-call timeout: `timedOut`
//   - a 2xx answer whose body does not have the shape we expect: `malformed`
//   - input we refuse before it reaches Graph: `badInput`
// No message built here ever contains a request or response body: only status, code, Graph's `message` text
// on an error answer (which never carries a pass: the pass is only in the 201 body of a create) and paths of
// schema issues, never their values.
import type { DirectoryErrorKind } from '../../common/directory';
import { type AccessFacts, type AccessNeed, type ForbiddenCause, forbiddenCause } from './access';

/** Known refusals of POST temporaryAccessPassMethods (entra-graph.md 1.5), read from Graph's message text. */
export type TapCreationRefusal =
  | 'lifetime-out-of-range'
  | 'policy-excludes-user'
  | 'external-guest'
  | 'one-time-required'
  /** 403: the operator's role does not reach this user (an admin for an Authentication Administrator), or it is
   *  the operator's own account; Graph does not say which. */
  | 'not-permitted-for-target'
  /** 404: Graph does not find the person to add the pass to. Right after an account is created this is the
   *  directory's replication delay (tap/issuer.ts retries for a recently created person); else they are gone. */
  | 'user-not-found';

export interface DirectoryErrorInit {
  kind: DirectoryErrorKind;
  message: string;
  status?: number | undefined;
  code?: string | null | undefined;
  requestId?: string | null | undefined;
  /** What the app was doing, e.g. "create a Temporary Access Pass". */
  operation?: string | undefined;
  reason?: TapCreationRefusal | undefined;
  /** The policy's bounds when the refusal is `lifetime-out-of-range`. */
  lifetimeRange?: { min: number; max: number } | undefined;
  /** Seconds Graph asked us to wait (429/503), when it said. */
  retryAfterSeconds?: number | undefined;
  /** Graph's own error text, one line, when it sent one. */
  graphMessage?: string | undefined;
  /** 403 only: why, when the station's facts explain it (`forbiddenCause`). */
  forbidden?: ForbiddenCause | undefined;
  /** With `missing-permission`: the narrowest permission that would do, for the administrator to consent. */
  missingPermission?: string | undefined;
}

export class DirectoryError extends Error {
  override readonly name = 'DirectoryError';
  readonly kind: DirectoryErrorKind;
  readonly status: number | undefined;
  readonly code: string | null;
  readonly requestId: string | null;
  readonly operation: string | undefined;
  readonly reason: TapCreationRefusal | undefined;
  readonly lifetimeRange: { min: number; max: number } | undefined;
  readonly retryAfterSeconds: number | undefined;
  readonly graphMessage: string | null;
  readonly forbidden: ForbiddenCause | undefined;
  readonly missingPermission: string | undefined;

  constructor(init: DirectoryErrorInit) {
    super(init.message);
    this.kind = init.kind;
    this.status = init.status;
    this.code = init.code ?? null;
    this.requestId = init.requestId ?? null;
    this.operation = init.operation;
    this.reason = init.reason;
    this.lifetimeRange = init.lifetimeRange;
    this.retryAfterSeconds = init.retryAfterSeconds;
    this.graphMessage = init.graphMessage ?? null;
    this.forbidden = init.forbidden;
    this.missingPermission = init.missingPermission;
  }

  /** What an audit record or a log line may hold: no stack, no body. */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      kind: this.kind,
      status: this.status,
      code: this.code,
      requestId: this.requestId,
      operation: this.operation,
      reason: this.reason,
      forbidden: this.forbidden,
      message: this.message,
    };
  }
}

export const isDirectoryError = (e: unknown): e is DirectoryError => e instanceof DirectoryError;

// ---------------------------------------------------------------------------------------------------------------
// Kinds, and the log line's wording (the screen words the session's code, never this message)

export function kindForStatus(status: number): DirectoryErrorKind {
  if (status === 401) return 'unauthenticated';
  if (status === 403) return 'forbidden';
  if (status === 404 || status === 410) return 'not-found';
  if (status === 429) return 'throttled';
  if (status === 408) return 'timeout';
  if (status >= 500) return 'unavailable';
  return 'bad-request';
}

/** A log line: `<operation>: <kind> (<facts>)[: <detail>]`. Facts only; the screen's words are the renderer's. */
function logLine(operation: string | undefined, kind: DirectoryErrorKind, facts: readonly (string | null | undefined)[], detail?: string): string {
  const known = facts.filter((f): f is string => typeof f === 'string' && f.length > 0);
  const head = `${operation ?? 'Graph call'}: ${kind}${known.length > 0 ? ` (${known.join(', ')})` : ''}`;
  return detail ? `${head}: ${detail}` : head;
}

// ---------------------------------------------------------------------------------------------------------------
// Reading Graph's error body ({ error: { code, message, innerError: { request-id } } }, entra-graph.md 6.1)

interface GraphErrorBody {
  code: string | null;
  message: string | null;
  requestId: string | null;
}

const str = (v: unknown): string | null => (typeof v === 'string' && v.length > 0 ? v : null);

/** Reads Graph's error body, given as parsed JSON or as text; anything else gives nulls. */
export function readGraphErrorBody(body: unknown): GraphErrorBody {
  let value = body;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      return { code: null, message: null, requestId: null };
    }
  }
  if (typeof value !== 'object' || value === null) return { code: null, message: null, requestId: null };
  const record = value as Record<string, unknown>;
  // The library's GraphError keeps `JSON.stringify(error.error)`, i.e. without the outer `error` wrapper.
  const error = (typeof record.error === 'object' && record.error !== null ? record.error : record) as Record<string, unknown>;
  const inner = (error.innerError ?? error.innererror) as Record<string, unknown> | undefined;
  return {
    code: str(error.code),
    message: str(error.message),
    requestId: inner && typeof inner === 'object' ? str(inner['request-id']) : null,
  };
}

/** Header lookup on a fetch Headers or a plain record (any case). */
export function headerValue(headers: Headers | Record<string, string | string[] | undefined> | undefined | null, name: string): string | null {
  if (!headers) return null;
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name);
  const wanted = name.toLowerCase();
  for (const [k, v] of Object.entries(headers as Record<string, string | string[] | undefined>)) {
    if (k.toLowerCase() === wanted) return Array.isArray(v) ? (v[0] ?? null) : (v ?? null);
  }
  return null;
}

function retryAfter(headers: Parameters<typeof headerValue>[0]): number | undefined {
  const raw = headerValue(headers, 'retry-after');
  if (raw === null) return undefined;
  const n = Number(raw);
  if (raw.trim() !== '' && Number.isFinite(n)) return Math.max(0, n);
  const at = Date.parse(raw);
  return Number.isFinite(at) ? Math.max(0, Math.round((at - Date.now()) / 1000)) : undefined;
}

/** Graph's text, cleaned for a screen: one line, bounded. */
function graphText(message: string | null): string | undefined {
  if (!message) return undefined;
  const line = message.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ').trim();
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}

// ---------------------------------------------------------------------------------------------------------------
// TAP creation refusals (matching on the message is fragile; Graph documents no codes for them, and third-party
// tools match the same texts. When nothing matches, the kind and Graph's own text still reach the operator.)

function tapRefusal(status: number, message: string | null): Pick<DirectoryErrorInit, 'reason' | 'lifetimeRange'> {
  if (status === 403) {
    // An Authentication Administrator acting on an administrator (or a member of a role-assignable group), or
    // anyone on their own account: Graph does not say which.
    return { reason: 'not-permitted-for-target' };
  }
  // The user was read moments ago for the card; "Resource '<id>' does not exist …" (Request_ResourceNotFound) on
  // the create is what the directory says of an object a replica does not have yet (Azure/AzureGraph#8 body;
  // microsoftgraph/msgraph-sdk-dotnet#2772: "Not Found" for a new user until replication catches up).
  if (status === 404) return { reason: 'user-not-found' };
  if (status !== 400 || !message) return {};
  if (/LifetimeInMinutes/i.test(message)) {
    const range = /between\s+(\d+)\s+and\s+(\d+)/i.exec(message);
    if (!range) return { reason: 'lifetime-out-of-range' };
    const min = Number(range[1]);
    const max = Number(range[2]);
    return { reason: 'lifetime-out-of-range', lifetimeRange: { min, max } };
  }
  if (/UserCredentialPolicy/i.test(message)) {
    return { reason: 'policy-excludes-user' };
  }
  if (/external guest/i.test(message)) {
    return { reason: 'external-guest' };
  }
  if (/one-time|usable ?once|isUsableOnce/i.test(message)) {
    return { reason: 'one-time-required' };
  }
  return {};
}

// ---------------------------------------------------------------------------------------------------------------
// Constructors

export interface ResponseFacts {
  status: number;
  headers?: Headers | Record<string, string | string[] | undefined> | null;
  /** The response body as text or parsed JSON, if any. */
  body?: unknown;
}

export interface ClassifyOptions {
  /** A pass's creation: enables the refusal reasons. */
  tapCreate?: boolean;
  /** What the call needs and what the station knows about the operator: a 403's cause (`forbiddenCause`). */
  access?: { need: AccessNeed; facts: AccessFacts | null } | undefined;
}

/** An HTTP answer that is not 2xx. `operation` names what we were doing. */
export function fromResponse(response: ResponseFacts, operation?: string, options: ClassifyOptions = {}): DirectoryError {
  const parsed = readGraphErrorBody(response.body);
  const requestId = parsed.requestId ?? headerValue(response.headers, 'request-id') ?? headerValue(response.headers, 'x-ms-request-id');
  const kind = kindForStatus(response.status);
  const forbidden = response.status === 403 && options.access ? forbiddenCause(options.access.need, options.access.facts) : undefined;
  let refusal = options.tapCreate ? tapRefusal(response.status, parsed.message) : {};
  // A 403 the operator's token or role explains is not a judgement on this person.
  if (forbidden === 'missing-permission' || forbidden === 'missing-role') refusal = {};
  const graph = graphText(parsed.message);
  return new DirectoryError({
    kind,
    forbidden,
    missingPermission: forbidden === 'missing-permission' ? options.access?.need.permissions[0] : undefined,
    message: logLine(operation, kind, [`HTTP ${response.status}`, parsed.code, refusal.reason, forbidden, requestId ? `request-id ${requestId}` : null], graph),
    status: response.status,
    code: parsed.code,
    requestId,
    operation,
    reason: refusal.reason,
    lifetimeRange: refusal.lifetimeRange,
    retryAfterSeconds: kind === 'throttled' || kind === 'unavailable' ? retryAfter(response.headers) : undefined,
    graphMessage: graph,
  });
}

/** The shape of the Graph client library's GraphError, without importing its class here. */
export interface GraphClientErrorLike {
  statusCode: number;
  code?: string | null;
  requestId?: string | null;
  body?: unknown;
  headers?: Headers | undefined;
  message?: string;
}

export function isGraphClientError(e: unknown): e is GraphClientErrorLike {
  return typeof e === 'object' && e !== null && typeof (e as { statusCode?: unknown }).statusCode === 'number';
}

function looksLikeTimeout(e: unknown): boolean {
  const text = [(e as { name?: unknown })?.name, (e as { code?: unknown })?.code, (e as { message?: unknown })?.message]
    .filter((v): v is string => typeof v === 'string')
    .join(' ');
  return /TimeoutError|ETIMEDOUT|timed out|no response within/i.test(text);
}

/**
 * Whatever a Graph call threw. The library gives statusCode -1 when there was no HTTP answer (connection
 * refused or dropped, DNS, TLS): `network`, or `timeout` when the cause says so. A status gives the HTTP kind.
 */
export function fromGraphClientError(
  e: unknown,
  operation?: string,
  options: ClassifyOptions & { isSignInRequired?: (e: unknown) => boolean } = {},
): DirectoryError {
  if (e instanceof DirectoryError) return e;
  if (isGraphClientError(e) && e.statusCode > 0) {
    const parsed = readGraphErrorBody(e.body);
    return fromResponse(
      {
        status: e.statusCode,
        headers: e.headers ?? null,
        body: {
          error: {
            code: parsed.code ?? e.code ?? null,
            message: parsed.message ?? e.message ?? null,
            innerError: { 'request-id': parsed.requestId ?? e.requestId ?? null },
          },
        },
      },
      operation,
      options,
    );
  }
  const requestId = isGraphClientError(e) ? (e.requestId ?? headerValue(e.headers, 'request-id')) : null;
  // The Graph client re-wraps what the token callback threw (status -1): an operator who must sign in again is
  // not a network fault, and the session asks for a sign-in instead of retrying.
  if (options.isSignInRequired?.(e)) {
    return new DirectoryError({
      kind: 'unauthenticated',
      message: logLine(operation, 'unauthenticated', ['signInRequired']),
      code: 'signInRequired',
      requestId,
      operation,
    });
  }
  if (looksLikeTimeout(e)) return timedOut(operation, undefined, requestId);
  return new DirectoryError({
    kind: 'network',
    message: logLine(operation, 'network', ['no answer', isGraphClientError(e) ? e.code : null]),
    code: isGraphClientError(e) ? (e.code ?? null) : null,
    requestId,
    operation,
  });
}

export function timedOut(operation?: string, afterMs?: number, requestId: string | null = null): DirectoryError {
  return new DirectoryError({
    kind: 'timeout',
    message: logLine(operation, 'timeout', [afterMs !== undefined ? `no answer within ${Math.round(afterMs / 1000)} s` : null]),
    code: 'timeout',
    requestId,
    operation,
  });
}

/**
 * A 2xx answer we cannot use (not JSON, or not the shape Graph documents). Kind `unavailable` with code
 * `malformedResponse`: for the operator it is the same as a service fault (try again later, tell support with
 * the request id). `issues` are schema paths with what was expected, never the values.
 */
export function malformed(operation: string | undefined, requestId: string | null, status: number, issues: string[]): DirectoryError {
  const where = issues.slice(0, 3).join('; ');
  return new DirectoryError({
    kind: 'unavailable',
    message: logLine(operation, 'unavailable', [`HTTP ${status}`, 'malformedResponse'], where ? `unexpected ${where}` : undefined),
    status,
    code: 'malformedResponse',
    requestId,
    operation,
  });
}

/** Input refused before anything was sent. `what` names the problem in the operator's terms. */
export function badInput(what: string, operation?: string): DirectoryError {
  return new DirectoryError({ kind: 'bad-input', message: logLine(operation, 'bad-input', [], what), code: 'badInput', operation });
}
