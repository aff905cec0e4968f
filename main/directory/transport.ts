// One Graph call, as every gateway call makes it (`send`), and its answer read against a schema (`parse`).
//
// - The Graph client (graph-client.ts: auth, retry on 429/503/504 with Retry-After inside its budget) with the
//   raw response, a per-call timeout and the caller's AbortSignal.
// - Every failure becomes a DirectoryError (errors.ts); every 2xx body is checked with zod (schemas.ts), and its
//   issues are reported by path and expectation, never by value.
// - The caller's abort is passed through as the caller's own `signal.reason` (it is not a Graph failure).
// - The ids put into a path are checked first (`userKey`, `groupKey`, `methodKey`): a bad one is `bad-input`, nothing sent.
import { type Client, ResponseType } from '@microsoft/microsoft-graph-client';
import type { z } from 'zod';
import type { AccessFacts, AccessNeed } from './access';
import { DirectoryError, badInput, fromGraphClientError, fromResponse, headerValue, malformed, timedOut } from './errors';

export type Method = 'GET' | 'POST' | 'DELETE';

export interface Answer {
  status: number;
  headers: Headers;
  requestId: string | null;
  bytes: Buffer;
}

export interface SendOptions {
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: unknown;
  signal?: AbortSignal | undefined;
  /** Statuses that are answers, not failures (e.g. 404 for "no photo"). */
  accept?: number[];
  tapCreate?: boolean;
  /** What the call needs: a 403's cause is judged against it (`accessFacts`). */
  need?: AccessNeed;
  /** This call's time limit, when not the gateway's. */
  timeoutMs?: number;
}

export interface TransportOptions {
  client: Client;
  /** Each call (retries included) gives up after this long, unless the call sets its own `timeoutMs`. */
  timeoutMs: number;
  isSignInRequired?: ((e: unknown) => boolean) | undefined;
  accessFacts?: (() => AccessFacts | null) | undefined;
}

export interface Transport {
  send(operation: string, method: Method, path: string, opts?: SendOptions): Promise<Answer>;
  /** The body as JSON, checked against the schema. Issues are reported by path and expectation, never by value. */
  parse<S extends z.ZodType>(schema: S, answer: Answer, operation: string): z.infer<S>;
  getJson<S extends z.ZodType>(schema: S, operation: string, path: string, opts?: SendOptions): Promise<z.infer<S>>;
}

export function createTransport(options: TransportOptions): Transport {
  const { client, isSignInRequired, timeoutMs } = options;
  const accessOf = (need: AccessNeed | undefined) => (need ? { need, facts: options.accessFacts?.() ?? null } : undefined);

  async function send(operation: string, method: Method, path: string, opts: SendOptions = {}): Promise<Answer> {
    const caller = opts.signal;
    if (caller?.aborted) throw caller.reason;
    const controller = new AbortController();
    const limit = opts.timeoutMs ?? timeoutMs;
    const timer = setTimeout(() => controller.abort(new DOMException(`no answer within ${limit} ms`, 'TimeoutError')), limit);
    const onCallerAbort = () => controller.abort(caller?.reason);
    caller?.addEventListener('abort', onCallerAbort, { once: true });
    const aborted = new Promise<never>((_, reject) => {
      controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true });
    });
    try {
      let request = client.api(path).responseType(ResponseType.RAW).option('signal', controller.signal);
      if (opts.query) {
        const encoded: Record<string, string> = {};
        for (const [k, v] of Object.entries(opts.query)) encoded[k] = encodeURIComponent(v);
        request = request.query(encoded);
      }
      if (opts.headers) request = request.headers(opts.headers);
      const pending: Promise<unknown> =
        method === 'GET' ? request.get() : method === 'DELETE' ? request.delete() : request.post(opts.body === undefined ? undefined : opts.body);
      pending.catch(() => undefined); // when the timeout wins the race, the library's late failure is not ours to report
      const response = (await Promise.race([pending, aborted])) as Response;
      if (!(response instanceof Response)) throw malformed(operation, null, 0, ['(response): not an HTTP response']);
      const bytes = Buffer.from(await Promise.race([response.arrayBuffer(), aborted]));
      const requestId = headerValue(response.headers, 'request-id');
      const answer: Answer = { status: response.status, headers: response.headers, requestId, bytes };
      if ((response.status >= 200 && response.status < 300) || opts.accept?.includes(response.status)) return answer;
      throw fromResponse({ status: response.status, headers: response.headers, body: bytes.toString('utf8') }, operation, {
        tapCreate: opts.tapCreate ?? false,
        access: accessOf(opts.need),
      });
    } catch (e) {
      if (caller?.aborted) throw caller.reason;
      if (e instanceof DirectoryError) throw e;
      if (controller.signal.aborted) throw timedOut(operation, limit);
      throw fromGraphClientError(e, operation, { tapCreate: opts.tapCreate ?? false, access: accessOf(opts.need), isSignInRequired });
    } finally {
      clearTimeout(timer);
      caller?.removeEventListener('abort', onCallerAbort);
    }
  }

  function parse<S extends z.ZodType>(schema: S, answer: Answer, operation: string): z.infer<S> {
    let json: unknown;
    try {
      json = JSON.parse(answer.bytes.toString('utf8'));
    } catch {
      throw malformed(operation, answer.requestId, answer.status, ['(body): not JSON']);
    }
    const result = schema.safeParse(json);
    if (result.success) return result.data;
    const issues = result.error.issues.map((i) => {
      const where = i.path.length ? i.path.map(String).join('.') : '(body)';
      const expected = 'expected' in i && typeof i.expected === 'string' ? `expected ${i.expected}` : i.code;
      return `${where}: ${expected}`;
    });
    throw malformed(operation, answer.requestId, answer.status, issues);
  }

  async function getJson<S extends z.ZodType>(schema: S, operation: string, path: string, opts: SendOptions = {}): Promise<z.infer<S>> {
    return parse(schema, await send(operation, 'GET', path, opts), operation);
  }

  return { send, parse, getJson };
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const UPN_KEY = /^[^$@\s/\\?#%][^@\s/\\?%]*@[A-Za-z0-9.-]+$/;
const METHOD_ID = /^[A-Za-z0-9_=-]{1,256}$/;

export function userKey(userId: string, operation: string): string {
  if (typeof userId !== 'string' || !(GUID.test(userId) || (userId.length <= 256 && UPN_KEY.test(userId)))) {
    throw badInput('The user id is not a directory object id', operation);
  }
  return encodeURIComponent(userId);
}

export function groupKey(groupId: string, operation: string): string {
  if (typeof groupId !== 'string' || !GUID.test(groupId)) throw badInput('The group id is not a directory object id', operation);
  return groupId;
}

export function methodKey(methodId: string, operation: string): string {
  if (typeof methodId !== 'string' || !METHOD_ID.test(methodId)) throw badInput('The method id is not a valid authentication method id', operation);
  return encodeURIComponent(methodId);
}

/** Graph's absent, null and empty string alike: null. */
export const nn = (v: string | null | undefined): string | null => (v === undefined || v === null || v === '' ? null : v);
