// /oauth2/v2.0/authorize: the front channel of the authorization code flow with PKCE (entra-graph.md 7.4).
// Until the client and its redirect URI are known to be genuine, errors are an HTML page; after that they go
// back to the app on the redirect URI, as Entra does. The sign-in page posts back here with a flow token.
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { EmulatorContext } from '../context';
import { OAuthError, oauthErrorBody } from '../errors';
import type { UserRecord } from '../model';
import { tenantOrThrow, type TenantRef } from './discovery';
import { FLOW_LIFETIME_MS, type AuthorizeRequest, type BrowserSession, type GrantStore, type PendingFlow } from './grants';
import { clientInfo, findClient, grantScopes, splitScopes } from './issue';
import { deviceDonePage, errorPage, formPostPage, signInPage, signedOutPage } from './pages';
import { FIDO_POSTBACK_PATH, PASSKEY_ERRORS, PostBackForm, SIGN_IN_HOST, passkeyForm, registerFidoGet, verifyPasskey } from './passkey';

export const SESSION_COOKIE = 'emu_estsauth';

const AuthorizeQuery = z.object({
  client_id: z.string().optional(),
  redirect_uri: z.string().optional(),
  response_type: z.string().optional(),
  response_mode: z.string().optional(),
  scope: z.string().optional(),
  code_challenge: z.string().optional(),
  code_challenge_method: z.string().optional(),
  state: z.string().optional(),
  nonce: z.string().optional(),
  prompt: z.string().optional(),
  login_hint: z.string().optional(),
});

const SignInForm = z.object({
  flowToken: z.string().min(1),
  username: z.string().max(256).default(''),
  password: z.string().max(256).default(''),
});

const LogoutQuery = z.object({ post_logout_redirect_uri: z.string().optional(), state: z.string().optional() });

/** A public client may only use a loopback redirect URI over http, any port (Entra's rule for native apps). */
export function isLoopbackRedirect(uri: string): boolean {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return false;
  }
  return url.protocol === 'http:' && (url.hostname === 'localhost' || url.hostname === '127.0.0.1') && !url.hash && !url.username && !url.password;
}

const missing = (name: string) => `The request body must contain the following parameter: '${name}'.`;

/** Thrown before the redirect URI is trusted: rendered as Entra's error page, never redirected. */
class PageError extends Error {
  constructor(
    readonly aadsts: number,
    message: string,
  ) {
    super(message);
  }
}

function timestamp(now: Date): string {
  return now.toISOString().replace('T', ' ').slice(0, 19) + 'Z';
}

export function sendPage(reply: FastifyReply, status: number, html: string) {
  return reply.code(status).header('Content-Type', 'text/html; charset=utf-8').header('Cache-Control', 'no-store, no-cache').send(html);
}

function renderPageError(ctx: EmulatorContext, req: FastifyRequest, reply: FastifyReply, e: PageError) {
  const html = errorPage(e.aadsts, e.message, { requestId: req.requestId, correlationId: req.clientRequestId, timestamp: timestamp(ctx.clock.now()) });
  return sendPage(reply, 400, html);
}

/** Back to the app: `code=…` or `error=…`, in the query, the fragment or a posted form, as the app asked. */
function redirectToApp(reply: FastifyReply, target: Pick<AuthorizeRequest, 'redirectUri' | 'responseMode'>, params: Record<string, string | undefined>) {
  const url = new URL(target.redirectUri);
  const entries = Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined);
  if (target.responseMode === 'form_post') return sendPage(reply, 200, formPostPage(url.toString(), entries));
  if (target.responseMode === 'fragment') url.hash = new URLSearchParams(entries).toString();
  else for (const [k, v] of entries) url.searchParams.append(k, v);
  return reply.header('Cache-Control', 'no-store, no-cache').redirect(url.toString(), 302);
}

function redirectError(
  ctx: EmulatorContext,
  req: FastifyRequest,
  reply: FastifyReply,
  target: Pick<AuthorizeRequest, 'redirectUri' | 'responseMode' | 'state'>,
  e: OAuthError,
) {
  const body = oauthErrorBody(e, { traceId: req.requestId, correlationId: req.clientRequestId }, ctx.clock.now());
  return redirectToApp(reply, target, {
    error: body.error,
    error_description: body.error_description,
    error_uri: body.error_uri,
    ...(e.suberror ? { suberror: e.suberror } : {}),
    state: target.state,
  });
}

function cookieValue(req: FastifyRequest, name: string): string | undefined {
  for (const part of String(req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return v.join('=');
  }
  return undefined;
}

/** The browser's sign-in session, if it is still good: the user exists, is enabled, and was not revoked since. */
function liveSession(ctx: EmulatorContext, grants: GrantStore, req: FastifyRequest): BrowserSession | undefined {
  const cookie = cookieValue(req, SESSION_COOKIE);
  const session = cookie ? grants.sessions.get(cookie) : undefined;
  if (!session || !cookie) return undefined;
  const user = ctx.state.users.get(session.userId);
  if (!user || !user.accountEnabled || session.authTime <= user.signInSessionsValidFromDateTime.getTime()) {
    grants.sessions.delete(cookie);
    return undefined;
  }
  return session;
}

function completeSignIn(ctx: EmulatorContext, grants: GrantStore, reply: FastifyReply, request: AuthorizeRequest, session: BrowserSession, user: UserRecord) {
  const code = grants.issueCode(request, session, ctx.clock.nowMs());
  return redirectToApp(reply, request, {
    code,
    client_info: clientInfo(ctx, user),
    state: request.state,
    session_state: session.sessionState,
  });
}

export function renderSignIn(
  ctx: EmulatorContext,
  reply: FastifyReply,
  request: AuthorizeRequest,
  flowToken: string,
  options: { username?: string; error?: string; flow?: Pick<PendingFlow, 'fidoChallenge'> } = {},
) {
  const client = findClient(ctx, request.clientId);
  const username = options.username ?? request.loginHint;
  const html = signInPage({
    action: `/${encodeURIComponent(request.tenantSegment)}/oauth2/v2.0/authorize`,
    flowToken,
    tenantName: ctx.state.seed.displayName,
    appName: client?.displayName ?? request.clientId,
    ...(username !== undefined ? { username } : {}),
    ...(options.error ? { error: options.error } : {}),
    // "Sign-in options" → passkey (./passkey.ts); not on the device code page.
    ...(options.flow ? { passkey: passkeyForm(ctx, request, flowToken, options.flow) } : {}),
  });
  return sendPage(reply, 200, html);
}

/** Validates an /authorize request; throws PageError (no trusted redirect) or returns the request or an OAuthError. */
function validate(
  ctx: EmulatorContext,
  tenant: TenantRef,
  raw: unknown,
): { request: AuthorizeRequest; prompt?: string } | { target: AuthorizeRequest; error: OAuthError } {
  const parsed = AuthorizeQuery.safeParse(raw);
  if (!parsed.success) throw new PageError(9002313, 'Invalid request. Request is malformed or invalid.');
  const q = parsed.data;
  if (!q.client_id) throw new PageError(900144, missing('client_id'));
  const client = findClient(ctx, q.client_id);
  if (!client) {
    throw new PageError(
      700016,
      `Application with identifier '${q.client_id}' was not found in the directory '${ctx.state.seed.displayName}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
    );
  }
  if (!q.redirect_uri) throw new PageError(500113, 'No reply address is registered for the application.');
  if (!isLoopbackRedirect(q.redirect_uri)) {
    throw new PageError(
      50011,
      `The redirect URI '${q.redirect_uri}' specified in the request does not match the redirect URIs configured for the application '${client.clientId}'. Make sure the redirect URI sent in the request matches one added to your application in the Azure portal. Navigate to https://aka.ms/redirectUriMismatchError to learn more about how to fix this.`,
    );
  }
  const mode = q.response_mode ?? 'query';
  const request: AuthorizeRequest = {
    clientId: client.clientId,
    redirectUri: q.redirect_uri,
    responseMode: mode === 'fragment' || mode === 'form_post' ? mode : 'query',
    scopes: splitScopes(q.scope),
    codeChallenge: q.code_challenge ?? '',
    ...(q.state !== undefined ? { state: q.state } : {}),
    ...(q.nonce !== undefined ? { nonce: q.nonce } : {}),
    ...(q.login_hint ? { loginHint: q.login_hint } : {}),
    tenantSegment: tenant.segment,
  };
  const fail = (error: OAuthError) => ({ target: request, error });
  if (mode !== 'query' && mode !== 'fragment' && mode !== 'form_post') {
    return fail(new OAuthError('invalid_request', 900144, `The response_mode '${mode}' is not supported; use query, fragment or form_post.`));
  }
  if (!q.response_type) return fail(new OAuthError('invalid_request', 900144, missing('response_type')));
  if (q.response_type !== 'code') {
    return fail(new OAuthError('unsupported_response_type', 700054, `response_type '${q.response_type}' is not enabled for the application.`));
  }
  if (request.scopes.length === 0) return fail(new OAuthError('invalid_request', 900144, missing('scope')));
  try {
    grantScopes(client, request.scopes);
  } catch (e) {
    if (e instanceof OAuthError) return fail(e);
    throw e;
  }
  // PKCE is required, and only S256 (the emulator's rule; Entra also accepts plain).
  if (!q.code_challenge) {
    return fail(new OAuthError('invalid_request', 9002325, 'Proof Key for Code Exchange is required: send code_challenge with code_challenge_method S256.'));
  }
  if (q.code_challenge_method !== 'S256') return fail(new OAuthError('invalid_request', 50149, 'Invalid Code_Challenge_method parameter.'));
  if (!/^[A-Za-z0-9_-]{43}$/.test(q.code_challenge)) {
    return fail(new OAuthError('invalid_request', 501491, 'Invalid size of Code_Challenge parameter.'));
  }
  return { request, ...(q.prompt ? { prompt: q.prompt } : {}) };
}

export function registerAuthorize(app: FastifyInstance, ctx: EmulatorContext, grants: GrantStore): void {
  const showSignIn = (reply: FastifyReply, request: AuthorizeRequest, flowToken: string, options: { username?: string; error?: string } = {}) => {
    const flow = grants.flows.get(flowToken);
    return renderSignIn(ctx, reply, request, flowToken, { ...options, ...(flow && !flow.deviceCode ? { flow } : {}) });
  };

  /** The flow of a posted form, if it is still good; else Entra's "flow token expired" page has been sent. */
  const liveFlow = (req: FastifyRequest, reply: FastifyReply, flowToken: string): PendingFlow | null => {
    const flow = grants.flows.get(flowToken);
    if (flow && ctx.clock.nowMs() - flow.createdAt <= FLOW_LIFETIME_MS) return flow;
    grants.flows.delete(flowToken);
    void renderPageError(
      ctx,
      req,
      reply,
      new PageError(50089, 'Authentication failed due to flow token expired. Go back to the application and sign in again.'),
    );
    return null;
  };

  /** The user is who they said (password or passkey): approve the device code, or start the session and redirect. */
  const finishSignIn = (req: FastifyRequest, reply: FastifyReply, flowToken: string, flow: PendingFlow, user: UserRecord) => {
    if (!user.accountEnabled) {
      return showSignIn(reply, flow.request, flowToken, {
        username: user.userPrincipalName,
        error: 'Your account has been disabled. Contact your administrator.',
      });
    }
    grants.flows.delete(flowToken);
    if (flow.deviceCode) {
      // Device code flow: the sign-in approves the code the device is polling with; nothing is redirected.
      const device = grants.deviceCodes.get(flow.deviceCode);
      if (!device || device.approval || ctx.clock.nowMs() >= device.expiresAt) {
        return renderPageError(
          ctx,
          req,
          reply,
          new PageError(70020, "The provided value for the input parameter 'device_code' is not valid. This device code has expired."),
        );
      }
      device.approval = { userId: user.id, authTime: ctx.clock.nowMs(), sessionState: randomUUID() };
      return sendPage(reply, 200, deviceDonePage(findClient(ctx, device.clientId)?.displayName ?? device.clientId));
    }
    const { cookie, session } = grants.startSession(user.id, ctx.clock.nowMs());
    void reply.header('Set-Cookie', `${SESSION_COOKIE}=${cookie}; Path=/; Secure; HttpOnly; SameSite=Lax`);
    return completeSignIn(ctx, grants, reply, flow.request, session, user);
  };

  app.get<{ Params: { tenant: string } }>('/:tenant/oauth2/v2.0/authorize', async (req, reply) => {
    let checked: ReturnType<typeof validate>;
    try {
      checked = validate(ctx, tenantOrThrow(ctx, req.params.tenant), req.query);
    } catch (e) {
      if (e instanceof PageError) return renderPageError(ctx, req, reply, e);
      if (e instanceof OAuthError) return renderPageError(ctx, req, reply, new PageError(e.aadsts, e.description));
      throw e;
    }
    if ('error' in checked) return redirectError(ctx, req, reply, checked.target, checked.error);
    const { request, prompt } = checked;

    const session = liveSession(ctx, grants, req);
    const sessionUser = session ? ctx.state.users.get(session.userId) : undefined;
    const hintMatches = !request.loginHint || sessionUser?.userPrincipalName.toLowerCase() === request.loginHint.toLowerCase();
    const interactive = prompt === 'login' || prompt === 'select_account' || prompt === 'create';
    if (session && sessionUser && hintMatches && !interactive) return completeSignIn(ctx, grants, reply, request, session, sessionUser);
    if (prompt === 'none') {
      return redirectError(ctx, req, reply, request, new OAuthError('login_required', 50058, 'A silent sign-in request was sent but no user is signed in.'));
    }
    return showSignIn(reply, request, grants.startFlow(request, ctx.clock.nowMs()));
  });

  // The sign-in page's form. Wrong credentials re-render the page with the error, as Entra does.
  app.post<{ Params: { tenant: string } }>('/:tenant/oauth2/v2.0/authorize', async (req, reply) => {
    try {
      tenantOrThrow(ctx, req.params.tenant);
    } catch (e) {
      if (e instanceof OAuthError) return renderPageError(ctx, req, reply, new PageError(e.aadsts, e.description));
      throw e;
    }
    const form = SignInForm.safeParse(req.body ?? {});
    if (!form.success) return renderPageError(ctx, req, reply, new PageError(9002313, 'Invalid request. Request is malformed or invalid.'));
    const { flowToken, username, password } = form.data;
    const flow = liveFlow(req, reply, flowToken);
    if (!flow) return reply;
    const upn = username.trim().toLowerCase();
    const user = [...ctx.state.users.values()].find((u) => u.userPrincipalName.toLowerCase() === upn);
    if (!user) {
      return showSignIn(reply, flow.request, flowToken, {
        username,
        error: 'This username may be incorrect. Make sure you typed it correctly. Otherwise, contact your admin.',
      });
    }
    // Only seeded operators have a (demo) password; nobody else can sign in here.
    if (user.password === undefined || password !== user.password) {
      return showSignIn(reply, flow.request, flowToken, {
        username,
        error: "Your account or password is incorrect. If you don't remember your password, reset it now.",
      });
    }
    return finishSignIn(req, reply, flowToken, flow, user);
  });

  // ---- Passkey: login.microsoft.com/common/fido/get, and the assertion posted back here (./passkey.ts) ----
  registerFidoGet(app, ctx, sendPage);
  app.post(FIDO_POSTBACK_PATH, async (req, reply) => {
    const host = String(req.headers.host ?? '')
      .replace(/:\d+$/, '')
      .toLowerCase();
    if (new URL(ctx.urls.origin).hostname === SIGN_IN_HOST && host !== SIGN_IN_HOST)
      return reply.code(404).type('text/plain; charset=utf-8').send('Not found.');
    const form = PostBackForm.safeParse(req.body ?? {});
    if (!form.success) return renderPageError(ctx, req, reply, new PageError(9002313, 'Invalid request. Request is malformed or invalid.'));
    const { flowToken, assertion, error } = form.data;
    const flow = liveFlow(req, reply, flowToken);
    if (!flow) return reply;
    if (error || !assertion) return showSignIn(reply, flow.request, flowToken, { error: PASSKEY_ERRORS.cancelled });
    const outcome = await verifyPasskey(ctx, flow, assertion);
    if (!outcome.ok) return showSignIn(reply, flow.request, flowToken, { error: outcome.error });
    return finishSignIn(req, reply, flowToken, flow, outcome.user);
  });

  // Sign-out ends the browser session; a loopback post_logout_redirect_uri gets the user back to the app.
  const logout = async (req: FastifyRequest<{ Params: { tenant: string } }>, reply: FastifyReply) => {
    tenantOrThrow(ctx, req.params.tenant);
    const cookie = cookieValue(req, SESSION_COOKIE);
    if (cookie) grants.sessions.delete(cookie);
    void reply.header('Set-Cookie', `${SESSION_COOKIE}=; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=0`);
    const q = LogoutQuery.safeParse(req.query);
    const target = q.success ? q.data.post_logout_redirect_uri : undefined;
    if (target && isLoopbackRedirect(target)) {
      return redirectToApp(reply, { redirectUri: target, responseMode: 'query' }, { state: q.success ? q.data.state : undefined });
    }
    return sendPage(reply, 200, signedOutPage());
  };
  app.get<{ Params: { tenant: string } }>('/:tenant/oauth2/v2.0/logout', logout);
}
