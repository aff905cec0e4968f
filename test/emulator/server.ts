// The Entra emulator: one HTTPS origin for the identity provider, Microsoft Graph and the admin API, and one
// http://localhost origin for My Security Info. Started in-process by tests, or by `npm run emulator`.
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import formbody from '@fastify/formbody';
import { EmulatorClock } from './clock';
import type { EmulatorContext, EmulatorUrls, RequestLogEntry } from './context';
import { GraphError, OAuthError, graphErrorBody, oauthErrorBody } from './errors';
import { FaultInjector, type FaultInput, type FaultSpec } from './faults';
import { TenantState, type TapPolicyPreset } from './store';
import { Throttle, type ThrottleConfig } from './throttle';
import { TokenService } from './tokens';
import { generateTls, type EmulatorTls } from './tls';
import type { Seed } from './model';
import { registerAdmin } from './admin';
import { registerIdp } from './idp';
import { registerGraph } from './graph';
import { rewriteKeySegment } from './graph/odata';
import { BATCH_INNER_HEADER } from './graph/batch';
import { registerMySignIns } from './mysignins';

export interface EmulatorOptions {
  seed?: Seed;
  tapPolicy?: TapPolicyPreset;
  throttle?: Partial<ThrottleConfig>;
  /** 0 (default) picks free ports. */
  port?: number;
  mySecurityInfoPort?: number;
  /** Largest accepted request body in bytes (Graph answers 413 above it). */
  bodyLimit?: number;
  /**
   * `localhost` (default): the emulator's own origins (https://localhost:<port>, http://localhost:<port>).
   * `microsoft`: Microsoft's real host names (login.microsoftonline.com, login.microsoft.com, graph.microsoft.com,
   * mysignins.microsoft.com), all over HTTPS with a certificate from the emulator's CA. Clients reach them through
   * `hostMap` (Node: main/net/https-agent.ts) or Chromium's `--host-resolver-rules` (`chromiumHostArgs`, test/support/chromium.ts), trusting
   * only that CA: the kiosk runs its production configuration unchanged.
   */
  hosts?: 'localhost' | 'microsoft';
}

/** The Microsoft host names the emulator answers for in `microsoft` mode. */
export const MICROSOFT_HOSTS = {
  login: 'login.microsoftonline.com',
  loginAlt: 'login.microsoft.com',
  graph: 'graph.microsoft.com',
  mySignIns: 'mysignins.microsoft.com',
} as const;

export interface Emulator {
  readonly tenantId: string;
  /** The public client id of the TAP Kiosk app registration in the seed. */
  readonly clientId: string;
  readonly urls: EmulatorUrls;
  /** PEM of the emulator's own CA: hand it to clients, never switch TLS checks off. */
  readonly caPem: string;
  /** base64 SHA-256 of the CA's and the server certificate's SubjectPublicKeyInfo (Chromium's
   *  `--ignore-certificate-errors-spki-list`: trust for this emulator's certificates only, nothing else). */
  readonly spkiHashes: readonly string[];
  /** Host name → loopback address and port, for every name the emulator serves (empty in `localhost` mode). */
  readonly hostMap: Readonly<Record<string, { host: string; port: number }>>;
  readonly ctx: EmulatorContext;
  /** Seeded operators with their demo passwords (the emulator's sign-in page accepts them). */
  readonly operators: { upn: string; password: string; displayName: string; roles: string[] }[];
  reset(preset?: TapPolicyPreset): void;
  advanceClock(minutes: number): void;
  injectFault(fault: FaultInput): void;
  requestLog(): RequestLogEntry[];
  /** Every pass created since start, across resets (test/leaks/scan.ts looks for each in the files written). */
  issuedPasses(): string[];
  close(): Promise<void>;
}

declare module 'fastify' {
  interface FastifyRequest {
    requestId: string;
    clientRequestId: string;
    fault?: FaultSpec;
  }
}

const graphPath = (url: string) => /^\/(v1\.0|beta)(\/|$)/.test(url);
const idpPath = (url: string) => /^\/[^/]+\/(oauth2|v2\.0|discovery)\//.test(url) || url.startsWith('/common/');

function defaultFaultBody(status: number, req: FastifyRequest, now: Date) {
  const ids = { requestId: req.requestId, clientRequestId: req.clientRequestId };
  if (status === 429) return graphErrorBody('TooManyRequests', 'Please retry again later.', ids, now, 'Please retry after');
  if (status === 503) return graphErrorBody('serviceNotAvailable', 'Service unavailable.', ids, now);
  if (status === 504) return graphErrorBody('gatewayTimeout', 'Gateway timeout.', ids, now);
  return graphErrorBody('generalException', 'An unexpected error occurred.', ids, now);
}

/** Request ids, fault injection, throttling, the request log and error shapes: the same for every surface. */
function instrument(app: FastifyInstance, ctx: EmulatorContext, surfaceOf: (url: string) => RequestLogEntry['surface'] | null) {
  app.addHook('onRequest', async (req, reply) => {
    req.requestId = randomUUID();
    const sent = req.headers['client-request-id'];
    req.clientRequestId = typeof sent === 'string' && sent.length <= 64 ? sent : randomUUID();
    void reply.header('request-id', req.requestId).header('client-request-id', req.clientRequestId);
    const surface = surfaceOf(req.url);
    if (!surface) return;
    const path = req.url.split('?')[0] ?? req.url;
    const inner = req.headers[BATCH_INNER_HEADER] !== undefined;
    const fault = ctx.faults.take(req.method, path, { dropAllowed: !inner });
    if (fault) {
      req.fault = fault;
      if (fault.delayMs > 0) await new Promise((r) => setTimeout(r, fault.delayMs));
      if (fault.drop === 'before') {
        logRequest(ctx, req, 0, surface, 'drop-before');
        req.raw.socket.destroy();
        return reply.hijack();
      }
      if (fault.status !== undefined) {
        void reply.headers(fault.headers).code(fault.status);
        return reply.send(fault.body ?? defaultFaultBody(fault.status, req, ctx.clock.now()));
      }
    }
    // The $batch envelope is not throttled; each request inside it is (graph/batch.ts).
    if (surface === 'graph' && !/\/\$batch$/.test(path)) {
      const query = new URLSearchParams(req.url.split('?')[1] ?? '');
      const d = ctx.throttle.check(req.method, path, query);
      void reply.header('x-ms-resource-unit', String(d.cost));
      if (d.usedFraction > 0.8) void reply.header('x-ms-throttle-limit-percentage', (d.usedFraction * 1.0).toFixed(1));
      if (!d.allowed) {
        if (ctx.throttle.config.retryAfterSeconds !== null) void reply.header('Retry-After', String(d.retryAfterSeconds));
        void reply
          .header('x-ms-throttle-scope', `Tenant_Application/${d.limit === 'WriteLimitExceeded' ? 'Write' : 'ReadWrite'}/kiosk/${ctx.state.tenantId}`)
          .header('x-ms-throttle-information', d.limit ?? 'ResourceUnitLimitExceeded')
          .code(429);
        return reply.send(defaultFaultBody(429, req, ctx.clock.now()));
      }
    }
  });
  // Logged before the response leaves, so a client that has its answer always finds the request in the log.
  app.addHook('onSend', async (req, reply, payload) => {
    const surface = surfaceOf(req.url);
    if (req.fault?.drop === 'after') {
      // The handler has committed its change; the client never hears of it.
      logRequest(ctx, req, reply.statusCode, surface ?? 'graph', 'drop-after');
      req.raw.socket.destroy();
    } else if (surface) {
      logRequest(ctx, req, reply.statusCode, surface, req.fault ? 'injected' : undefined);
    }
    return payload;
  });
  app.setErrorHandler((err, req, reply) => renderError(ctx, err, req, reply, surfaceOf(req.url)));
}

function logRequest(ctx: EmulatorContext, req: FastifyRequest, status: number, surface: RequestLogEntry['surface'], fault?: string) {
  const [path = req.url, query = ''] = req.url.split('?');
  ctx.requests.push({
    at: ctx.clock.now().toISOString(),
    method: req.method,
    path,
    query,
    status,
    requestId: req.requestId,
    surface,
    ...(fault ? { fault } : {}),
    ...(req.headers[BATCH_INNER_HEADER] !== undefined ? { inBatch: true } : {}),
  });
}

function renderError(ctx: EmulatorContext, err: unknown, req: FastifyRequest, reply: FastifyReply, surface: RequestLogEntry['surface'] | null) {
  const now = ctx.clock.now();
  const ids = { requestId: req.requestId, clientRequestId: req.clientRequestId };
  if (err instanceof OAuthError) {
    return reply
      .code(err.status)
      .header('Cache-Control', 'no-store, no-cache')
      .send(oauthErrorBody(err, { traceId: req.requestId, correlationId: req.clientRequestId }, now));
  }
  if (err instanceof GraphError) {
    void reply.headers(err.options.headers ?? {});
    return reply.code(err.status).send(graphErrorBody(err.code, err.message, ids, now, err.options.innerMessage));
  }
  const fe = err as { code?: string; statusCode?: number; message?: string };
  let status = fe.statusCode ?? 500;
  let code = 'generalException';
  let message = 'An unexpected error occurred.';
  if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    status = 413;
    code = 'Request_EntityTooLarge';
    message = 'The request body is larger than the service accepts.';
  } else if (fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    status = 415;
    code = 'UnsupportedMediaType';
    message = 'The content type of the request is a format that is not supported by the service. Use application/json.';
  } else if (
    fe.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' ||
    fe.code === 'FST_ERR_CTP_INVALID_JSON_BODY' ||
    fe instanceof SyntaxError ||
    fe.code === 'FST_ERR_CTP_INVALID_CONTENT_LENGTH'
  ) {
    status = 400;
    code = 'BadRequest';
    message = 'Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.';
  } else if (status >= 400 && status < 500) {
    code = 'BadRequest';
    message = fe.message ?? 'Bad request.';
  } else {
    req.log.error(err);
  }
  if (surface === 'idp') {
    const e = new OAuthError(status === 500 ? 'server_error' : 'invalid_request', status === 500 ? 50000 : 900144, message, undefined, status);
    return reply.code(status).send(oauthErrorBody(e, { traceId: req.requestId, correlationId: req.clientRequestId }, now));
  }
  return reply.code(status).send(graphErrorBody(code, message, ids, now));
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const clock = new EmulatorClock();
  const state = new TenantState(clock, { ...(options.seed ? { seed: options.seed } : {}), ...(options.tapPolicy ? { tapPolicy: options.tapPolicy } : {}) });
  const microsoft = options.hosts === 'microsoft';
  const tls: EmulatorTls = await generateTls(microsoft ? ['localhost', '127.0.0.1', ...Object.values(MICROSOFT_HOSTS)] : undefined);
  const resetHooks: (() => void)[] = [];
  const urls = {} as EmulatorUrls;
  const tokens = await TokenService.create(clock, () => urls.issuer);
  const ctx: EmulatorContext = {
    state,
    clock,
    tokens,
    faults: new FaultInjector(),
    throttle: new Throttle(options.throttle),
    requests: [],
    issuedPasses: [],
    urls,
    onReset: (fn) => resetHooks.push(fn),
  };
  const bodyLimit = options.bodyLimit ?? 1024 * 1024;

  const main = Fastify({
    https: { key: tls.keyPem, cert: tls.certPem },
    bodyLimit,
    logger: false,
    routerOptions: { maxParamLength: 1000 },
    // Router-level refusals (a malformed %-escape, an over-long path segment) in Graph's shape, with request ids.
    frameworkErrors: (err, req, reply) => {
      req.requestId = randomUUID();
      req.clientRequestId = randomUUID();
      void reply.header('request-id', req.requestId).header('client-request-id', req.clientRequestId);
      renderError(ctx, err, req, reply, graphPath(req.url) ? 'graph' : idpPath(req.url) ? 'idp' : null);
    },
    // `/users('$x@y.com')/...` routes like `/users/%24x%40y.com/...` (user-get.md: UPNs starting with `$`).
    rewriteUrl: (req) => rewriteKeySegment(req.url ?? '/'),
  });
  await main.register(formbody, { bodyLimit });
  instrument(main, ctx, (url) => (graphPath(url) ? 'graph' : idpPath(url) ? 'idp' : null));
  registerAdmin(main, ctx, (preset) => reset(preset));
  registerIdp(main, ctx);
  await main.register(async (scope) => registerGraph(scope, ctx), { prefix: '/v1.0' });
  await main.register(async (scope) => registerGraph(scope, ctx), { prefix: '/beta' });

  // On Microsoft's host names My Security Info is HTTPS like the real one; on localhost plain HTTP is a secure context.
  const msi = (microsoft
    ? Fastify({ https: { key: tls.keyPem, cert: tls.certPem }, bodyLimit, logger: false })
    : Fastify({ bodyLimit, logger: false })) as unknown as FastifyInstance;
  await msi.register(formbody, { bodyLimit });
  instrument(msi, ctx, () => 'mysignins');
  registerMySignIns(msi, ctx, microsoft ? { signInHost: main } : {});

  await main.listen({ port: options.port ?? 0, host: 'localhost' });
  await msi.listen({ port: options.mySecurityInfoPort ?? 0, host: 'localhost' });
  const port = (main.server.address() as AddressInfo).port;
  const msiPort = (msi.server.address() as AddressInfo).port;
  const origin = `https://localhost:${port}`;
  const target = (p: number) => ({ host: '127.0.0.1', port: p });
  const hostMap: Record<string, { host: string; port: number }> = microsoft
    ? {
        [MICROSOFT_HOSTS.login]: target(port),
        [MICROSOFT_HOSTS.loginAlt]: target(port),
        [MICROSOFT_HOSTS.graph]: target(port),
        [MICROSOFT_HOSTS.mySignIns]: target(msiPort),
      }
    : {};
  if (microsoft) {
    const login = `https://${MICROSOFT_HOSTS.login}`;
    Object.assign(urls, {
      origin: login,
      authority: `${login}/${state.tenantId}/`,
      authorityHost: MICROSOFT_HOSTS.login,
      issuer: `${login}/${state.tenantId}/v2.0`,
      graph: `https://${MICROSOFT_HOSTS.graph}/v1.0`,
      graphBeta: `https://${MICROSOFT_HOSTS.graph}/beta`,
      // The admin API is the emulator's own, not Microsoft's: it stays on localhost (the certificate names it too).
      admin: `${origin}/_admin`,
      mySecurityInfo: `https://${MICROSOFT_HOSTS.mySignIns}`,
    } satisfies EmulatorUrls);
  } else
    Object.assign(urls, {
      origin,
      authority: `${origin}/${state.tenantId}/`,
      authorityHost: `localhost:${port}`,
      issuer: `${origin}/${state.tenantId}/v2.0`,
      graph: `${origin}/v1.0`,
      graphBeta: `${origin}/beta`,
      admin: `${origin}/_admin`,
      mySecurityInfo: `http://localhost:${msiPort}`,
    } satisfies EmulatorUrls);

  const reset = (preset?: TapPolicyPreset) => {
    state.reset(preset);
    clock.reset();
    ctx.faults.clear();
    ctx.requests.length = 0;
    ctx.throttle.configure(options.throttle ?? {});
    for (const fn of resetHooks) fn();
  };
  const client = state.seed.clients[0];
  if (!client) throw new Error('the seed tenant has no app registration');

  return {
    tenantId: state.tenantId,
    clientId: client.clientId,
    urls,
    caPem: tls.caPem,
    spkiHashes: tls.spkiHashes,
    hostMap,
    ctx,
    operators: state.seed.users
      .filter((u) => u.password !== undefined)
      .map((u) => ({ upn: u.userPrincipalName, password: u.password ?? '', displayName: u.displayName, roles: state.rolesOf(state.findUser(u.id)!) })),
    reset,
    advanceClock: (minutes) => clock.advance(minutes * 60_000),
    injectFault: (fault) => ctx.faults.add(fault),
    requestLog: () => [...ctx.requests],
    issuedPasses: () => [...ctx.issuedPasses],
    close: async () => {
      await Promise.all([main.close(), msi.close()]);
    },
  };
}
