// The Microsoft Graph client the kiosk uses: @microsoft/microsoft-graph-client v3 with an explicit middleware chain
//
//   AuthenticationHandler → RetryBudget → RetryHandler → RedirectHandler → TelemetryHandler → HttpsFetchHandler
//
// - AuthenticationHandler puts `Authorization: Bearer <getAccessToken()>` on requests to Graph hosts (and to the
//   host of a non-Microsoft `baseUrl`, e.g. the emulator, which we add to `customHosts`).
// - RetryHandler is the library's: it retries 429/503/504, waiting Retry-After (seconds or an HTTP date) when the
//   service sends it and backing off exponentially when not. We bound it twice: at most `maxRetries` retries, and
//   no retry whose wait would end after `budgetMs` from the first attempt (RetryBudget stamps that start).
//   Retrying a POST is safe for the kiosk's one write that matters: a second TAP create replaces the first.
//   A network error (connection reset, timeout) is never retried here: whether the change was committed is
//   unknown, so the caller has to look (list the TAPs) and reconcile.
// - HttpsFetchHandler is a small `fetch` over node:https with our own Agent. The library's HTTPMessageHandler calls
//   the global fetch, which cannot be told which CA to trust without a process-wide switch; this handler can.
//   With `caPem` set, that CA is the ONLY trust anchor (the emulator's own CA in tests and the demo); without it,
//   Node's bundled roots plus, where the runtime can read it (Node ≥ 22.15, i.e. Electron's), the OS store.
//
// Plain Node: no electron import, so it runs in tests and in Electron's main process alike.
import { createHttpsAgent, trustOf, type HostMap } from '../net/https-agent';
import https from 'node:https';
import zlib from 'node:zlib';
import {
  AuthenticationHandler,
  type AuthenticationProvider,
  Client,
  type Context,
  type FetchOptions,
  type Middleware,
  RedirectHandler,
  RedirectHandlerOptions,
  RetryHandler,
  RetryHandlerOptions,
  TelemetryHandler,
} from '@microsoft/microsoft-graph-client';

/** What the library's middleware passes as the request: a URL string (GraphRequest) or a Request. */
type RequestInfo = string | URL | Request;

export const GRAPH_ORIGIN = 'https://graph.microsoft.com';

export interface GraphRetryOptions {
  /** Retries after the first attempt (library maximum 10). Default 5. */
  maxRetries?: number;
  /** No retry may end later than this after the first attempt started. Default 60 s. */
  budgetMs?: number;
  /** Back-off base in seconds when a 429/503/504 carries no Retry-After. Default 3 (the library's). */
  delaySeconds?: number;
}

export interface GraphClientOptions {
  /**
   * Where Graph lives: an origin (`https://graph.microsoft.com`, `https://localhost:8443`) or an origin with the
   * version (`https://localhost:8443/v1.0`), which then sets `version`. Default graph.microsoft.com.
   */
  baseUrl?: string;
  /** API version for relative paths. Default `v1.0`, or the one named in `baseUrl`. */
  version?: 'v1.0' | 'beta';
  /** A current access token for Graph (MSAL's acquireTokenSilent in the kiosk). Called for every attempt. */
  getAccessToken: () => Promise<string>;
  /** PEM of the only CA to trust (the emulator's). Omit for the system's trust store. */
  caPem?: string;
  /** Microsoft's host names mapped to the emulator's loopback ports (tests, demo); see main/net/https-agent.ts. */
  hostMap?: HostMap;
  retry?: GraphRetryOptions;
  /** Each attempt is abandoned after this long without a response. Default 65 s (Graph's own limit is 60 s). */
  attemptTimeoutMs?: number;
}

/** Splits `https://host[:port][/v1.0|/beta][/]` into the origin the client joins with the version. */
export function resolveGraphBase(baseUrl: string = GRAPH_ORIGIN, version?: 'v1.0' | 'beta'): { origin: string; version: 'v1.0' | 'beta'; host: string } {
  const url = new URL(baseUrl);
  if (url.protocol !== 'https:') throw new TypeError(`Graph must be reached over https, not ${url.protocol}`);
  if (url.search || url.hash || url.username || url.password) throw new TypeError('baseUrl must be an origin, optionally with /v1.0 or /beta');
  const path = url.pathname.replace(/\/+$/, '');
  let named: 'v1.0' | 'beta' | undefined;
  if (path === '/v1.0' || path === '/beta') named = path.slice(1) as 'v1.0' | 'beta';
  else if (path !== '') throw new TypeError(`baseUrl path must be empty, /v1.0 or /beta, not ${path}`);
  if (named && version && named !== version) throw new TypeError(`baseUrl names ${named} but version is ${version}`);
  return { origin: url.origin, version: version ?? named ?? 'v1.0', host: url.hostname };
}

export function createGraphClient(options: GraphClientOptions): Client {
  const { origin, version, host } = resolveGraphBase(options.baseUrl, options.version);
  const auth: AuthenticationProvider = { getAccessToken: () => options.getAccessToken() };
  const retry = options.retry ?? {};
  const budget = new RetryBudget(retry.budgetMs ?? 60_000);
  const chain: Middleware[] = [
    new AuthenticationHandler(auth),
    budget,
    new RetryHandler(new RetryHandlerOptions(retry.delaySeconds ?? 3, retry.maxRetries ?? 5, budget.shouldRetry)),
    new RedirectHandler(new RedirectHandlerOptions()),
    new TelemetryHandler(),
    new HttpsFetchHandler(createHttpsAgent(trustOf(options), { keepAlive: true, maxSockets: 8 }), options.attemptTimeoutMs ?? 65_000),
  ];
  const isMicrosoft = new URL(origin).hostname === new URL(GRAPH_ORIGIN).hostname;
  return Client.initWithMiddleware({
    baseUrl: origin,
    defaultVersion: version,
    middleware: chain,
    // The AuthenticationHandler only sends the token to Graph hosts and these (host names, no port).
    ...(isMicrosoft ? {} : { customHosts: new Set([host]) }),
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Retry budget

/** Seconds the RetryHandler will wait before its next attempt (mirrors its getDelay, without the jitter). */
export function plannedRetryDelaySeconds(response: Response, attempt: number, delaySeconds: number, now = Date.now()): number {
  const header = response.headers.get('Retry-After');
  if (header !== null) {
    const n = Number(header);
    if (header.trim() !== '' && Number.isFinite(n)) return Math.max(0, n);
    const at = Date.parse(header);
    if (Number.isFinite(at)) return Math.max(0, (at - now) / 1000);
  }
  const next = attempt + 1;
  return next >= 2 ? Math.round(0.5 * (2 ** next - 1)) + delaySeconds : delaySeconds;
}

/** Stamps when a request's first attempt started, and refuses a retry whose wait would overrun the budget. */
class RetryBudget implements Middleware {
  private next?: Middleware;
  private readonly started = new WeakMap<object, number>();

  constructor(private readonly budgetMs: number) {}

  async execute(context: Context): Promise<void> {
    if (!context.options) context.options = {};
    this.started.set(context.options, Date.now());
    if (!this.next) throw new Error('RetryBudget needs a next middleware');
    await this.next.execute(context);
  }

  setNext(next: Middleware): void {
    this.next = next;
  }

  readonly shouldRetry = (delay: number, attempt: number, _request: RequestInfo, options: FetchOptions | undefined, response: Response): boolean => {
    const start = options ? this.started.get(options) : undefined;
    if (start === undefined) return true;
    // +1 s for the library's jitter (up to 1 s on top of the planned delay).
    const waitMs = (plannedRetryDelaySeconds(response, attempt, delay) + 1) * 1000;
    return Date.now() - start + waitMs <= this.budgetMs;
  };
}

// ---------------------------------------------------------------------------------------------------------------
// fetch over node:https with an explicit trust anchor

const NULL_BODY_STATUS = new Set([101, 103, 204, 205, 304]);

async function bodyBytes(body: FetchOptions['body']): Promise<Buffer | undefined> {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  if (body instanceof ArrayBuffer) return Buffer.from(body);
  // Blob, FormData, URLSearchParams, streams: let the platform serialise them.
  return Buffer.from(await new Response(body as ConstructorParameters<typeof Response>[0]).arrayBuffer());
}

function decode(bytes: Buffer, encoding: string | undefined): Buffer {
  switch ((encoding ?? '').trim().toLowerCase()) {
    case 'gzip':
    case 'x-gzip':
      return zlib.gunzipSync(bytes);
    case 'deflate':
      return zlib.inflateSync(bytes);
    case 'br':
      return zlib.brotliDecompressSync(bytes);
    default:
      return bytes;
  }
}

/** The last middleware: one HTTPS exchange per call, answered as a standard `Response`. */
export class HttpsFetchHandler implements Middleware {
  constructor(
    private readonly agent: https.Agent,
    private readonly attemptTimeoutMs: number,
  ) {}

  async execute(context: Context): Promise<void> {
    context.response = await this.fetch(context.request, context.options);
  }

  async fetch(input: RequestInfo, init: FetchOptions = {}): Promise<Response> {
    const request = input instanceof Request ? input : undefined;
    const url = new URL(request ? request.url : String(input));
    if (url.protocol !== 'https:') throw new TypeError(`refusing to send a Graph request over ${url.protocol}`);
    const method = (init.method ?? request?.method ?? 'GET').toUpperCase();
    const headers = new Headers(request?.headers);
    new Headers(init.headers).forEach((value, key) => headers.set(key, value));
    const body = init.body !== undefined ? await bodyBytes(init.body) : request && request.body ? Buffer.from(await request.arrayBuffer()) : undefined;
    const outgoing: Record<string, string> = {};
    headers.forEach((value, key) => (outgoing[key] = value));
    if (body) outgoing['content-length'] = String(body.length);
    const signal = init.signal ?? request?.signal ?? undefined;

    return new Promise<Response>((resolve, reject) => {
      const fail = (cause: unknown) => reject(new TypeError('fetch failed', { cause }));
      if (signal?.aborted) return reject(signal.reason);
      const req = https.request(url, { method, headers: outgoing, agent: this.agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', fail);
        res.on('end', () => {
          try {
            const status = res.statusCode ?? 0;
            const responseHeaders = new Headers();
            for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) {
              const name = res.rawHeaders[i] ?? '';
              const value = res.rawHeaders[i + 1] ?? '';
              // The body is decoded here, so its encoding and length no longer describe it.
              if (/^(content-encoding|content-length|transfer-encoding)$/i.test(name)) continue;
              responseHeaders.append(name, value);
            }
            const raw = Buffer.concat(chunks);
            const payload = NULL_BODY_STATUS.has(status) || method === 'HEAD' ? null : decode(raw, res.headers['content-encoding']);
            resolve(new Response(payload, { status, statusText: res.statusMessage ?? '', headers: responseHeaders }));
          } catch (e) {
            fail(e);
          }
        });
      });
      req.setTimeout(this.attemptTimeoutMs, () => req.destroy(new Error(`no response within ${this.attemptTimeoutMs} ms`)));
      req.on('error', fail);
      if (signal) {
        const onAbort = () => req.destroy(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
        signal.addEventListener('abort', onAbort, { once: true });
        req.on('close', () => signal.removeEventListener('abort', onAbort));
      }
      req.end(body);
    });
  }
}
