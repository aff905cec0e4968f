// My Security Info on Microsoft's host names: the hops between hosts that the real flow makes (see README.md,
// "My Security Info's hops", for the sources), served by the emulator's sign-in origin:
//
//   mysignins.microsoft.com/security-info            no session → 302 to the sign-in host
//   login.microsoftonline.com/<tenant>/oauth2/authorize   user name (GET), then /<tenant>/login (POST) user name,
//                                                     then the Temporary Access Pass → 302 back with a one-time code
//   mysignins.microsoft.com/signin-oidc?code=…        the code becomes My Security Info's session → /security-info
//   … "Add sign-in method" → "Security key" → "USB device" → Next
//   login.microsoft.com/<tenant>/fido/create?ctx=…    the WebAuthn ceremony, on origin https://login.microsoft.com
//                                                     with RP id login.microsoft.com → back to
//   mysignins.microsoft.com/security-info/add/security-key/name   name the key → done
//
// [INF] The exact paths of the sign-in leg (v1 `oauth2/authorize`, the `/login` post, `/signin-oidc`) and the
// `ctx` parameter are the emulator's; what is followed from the sources is which host each step runs on and that
// the registration ceremony runs on login.microsoft.com's `/<tenant>/fido/create`.
// The pages keep their `data-step` markers so tests can drive them; the kiosk itself reads only URLs and titles.
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { EmulatorContext } from '../context';
import type { UserRecord } from '../model';
import { moreInfoRequiredPage } from './interrupt';
import { fidoCreatePage, signInTapPage, signInUsernamePage, type SignInForm } from './pages';
import { RegistrationBody, creationOptions, signInFresh, verifyRegistration } from './registration';
import type { Session, SessionStore } from './sessions';
import { checkTap, checkUsername } from './signin';

/** Microsoft's sign-in host (the TAP sign-in) and the alternate host the FIDO registration page runs on. */
export const SIGN_IN_HOST = 'login.microsoftonline.com';
export const FIDO_HOST = 'login.microsoft.com';
export const FIDO_ORIGIN = `https://${FIDO_HOST}`;
/** The RP id of the registration ceremony: the registration page's own host (ente-io/ente#9393, LedgerHQ/app-security-key#73). */
export const FIDO_RP_ID = FIDO_HOST;
/** "My Signins", Microsoft's first-party application id for My Sign-Ins. [INF] used only as the client id in the URL. */
export const MY_SIGNINS_APP_ID = '19db86c3-b2b9-44cc-b339-36da233a3be2';
/** The ESTS pages' document title. */
export const SIGN_IN_TITLE = 'Sign in to your account';

const CODE_LIFETIME_MS = 5 * 60_000;

interface PendingCode {
  userId: string;
  tapId: string;
  signedInAt: Date;
  oneTime: boolean;
  expiresAt: Date;
  issuedAt: Date;
}

/** What the two origins share: one-time codes (sign-in host → My Security Info) and registration contexts. */
export class Hops {
  readonly #codes = new Map<string, PendingCode>();
  /** Registration context handle → My Security Info session id. */
  readonly #registrations = new Map<string, string>();

  constructor(
    readonly ctx: EmulatorContext,
    readonly sessions: SessionStore,
  ) {
    ctx.onReset(() => {
      this.#codes.clear();
      this.#registrations.clear();
    });
  }

  get mySignIns(): string {
    return this.ctx.urls.mySecurityInfo;
  }

  /** Where My Security Info sends a browser with no session. */
  signInUrl(): string {
    const url = new URL(`https://${SIGN_IN_HOST}/${this.ctx.state.tenantId}/oauth2/authorize`);
    url.searchParams.set('client_id', MY_SIGNINS_APP_ID);
    url.searchParams.set('redirect_uri', `${this.mySignIns}/signin-oidc`);
    url.searchParams.set('response_type', 'code');
    return url.toString();
  }

  /**
   * Where a registration goes once the sign-in is more than five minutes old (sessions.ts, `FRESH_SIGN_IN_MS`):
   * sign in again, the user name filled in. [INF] Microsoft documents the rule, not the page it shows then; the
   * emulator sends the browser back to the sign-in host, the hop a re-authentication makes.
   */
  reauthUrl(user: UserRecord): string {
    const url = new URL(this.signInUrl());
    url.searchParams.set('prompt', 'login');
    url.searchParams.set('login_hint', user.userPrincipalName);
    return url.toString();
  }

  /** The sign-in host's one-time code becomes a My Security Info session (`/signin-oidc`, the interrupt's `/register`). */
  sessionFromCode(code: string): Session | null {
    const pending = this.redeemCode(code);
    if (!pending) return null;
    const { userId, tapId, signedInAt, oneTime, expiresAt } = pending;
    return this.sessions.create({ userId, tapId, signedInAt, oneTime, expiresAt });
  }

  issueCode(init: Omit<PendingCode, 'issuedAt'>): string {
    const code = randomBytes(32).toString('base64url');
    this.#codes.set(code, { ...init, issuedAt: this.ctx.clock.now() });
    return code;
  }

  /** Single use, five minutes. */
  redeemCode(code: string): PendingCode | null {
    const pending = this.#codes.get(code);
    this.#codes.delete(code);
    if (!pending || this.ctx.clock.nowMs() >= pending.issuedAt.getTime() + CODE_LIFETIME_MS) return null;
    return pending;
  }

  /** The registration page's URL for this session (a fresh handle each time "USB device" is shown). */
  createUrl(session: Session): string {
    const handle = randomBytes(24).toString('base64url');
    this.#registrations.set(handle, session.id);
    return `${FIDO_ORIGIN}/${this.ctx.state.tenantId}/fido/create?ctx=${handle}`;
  }

  sessionFor(handle: string | undefined): { session: Session; user: UserRecord } | null {
    const id = handle ? this.#registrations.get(handle) : undefined;
    const session = this.sessions.get(id, this.ctx.state, this.ctx.clock.now());
    const user = session ? this.ctx.state.users.get(session.userId) : undefined;
    return session && user ? { session, user } : null;
  }
}

const FlowQuery = z.object({ ctx: z.string().max(200).optional() });
const LoginForm = z.object({ username: z.string().max(320).default(''), tap: z.string().max(256).optional() });

/**
 * Strict, like My Security Info's; the FIDO page fetches only its own origin. `form-action` also governs the
 * redirect after a form post, so the sign-in form may end on My Security Info (its way back).
 */
const csp = (mySignIns: string) =>
  `default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self' ${mySignIns}; frame-ancestors 'none'; base-uri 'none'`;

/** The sign-in host's routes (registered on the emulator's HTTPS origin, which answers for both login hosts). */
export function registerSignInHops(app: FastifyInstance, hops: Hops, statics: Record<string, { type: string; body: string }>): void {
  const { ctx } = hops;
  const tenant = () => ctx.state.seed.displayName;
  const hostOf = (req: FastifyRequest) =>
    String(req.headers.host ?? '')
      .replace(/:\d+$/, '')
      .toLowerCase();
  const send = (reply: FastifyReply, body: string, status = 200) =>
    reply
      .code(status)
      .type('text/html; charset=utf-8')
      .header('Content-Security-Policy', csp(hops.mySignIns))
      .header('X-Frame-Options', 'DENY')
      .header('Cache-Control', 'no-store')
      .header('Referrer-Policy', 'same-origin')
      .send(body);
  const tenantMatches = (segment: string) => segment.toLowerCase() === ctx.state.tenantId.toLowerCase();
  const notHere = (reply: FastifyReply) => reply.code(404).type('text/plain; charset=utf-8').send('Not found.');
  const form = (segment: string): SignInForm => ({
    action: `/${segment}/login`,
    back: hops.signInUrl(),
    documentTitle: SIGN_IN_TITLE,
  });

  // The stylesheet and the WebAuthn script, for the pages this host serves.
  for (const [path, file] of Object.entries(statics)) {
    app.get(path, async (req, reply) => {
      const host = hostOf(req);
      if (host !== SIGN_IN_HOST && host !== FIDO_HOST) return notHere(reply);
      return reply.type(file.type).header('Cache-Control', 'no-cache').send(file.body);
    });
  }

  app.get<{ Params: { tenant: string } }>('/:tenant/oauth2/authorize', async (req, reply) => {
    if (hostOf(req) !== SIGN_IN_HOST || !tenantMatches(req.params.tenant)) return notHere(reply);
    const hint = String((req.query as Record<string, unknown>).login_hint ?? '').slice(0, 320);
    return send(reply, signInUsernamePage(tenant(), { form: form(req.params.tenant), ...(hint ? { username: hint } : {}) }));
  });

  app.post<{ Params: { tenant: string } }>('/:tenant/login', async (req, reply) => {
    if (hostOf(req) !== SIGN_IN_HOST || !tenantMatches(req.params.tenant)) return notHere(reply);
    if (req.headers.origin !== undefined && req.headers.origin !== `https://${SIGN_IN_HOST}`) {
      return reply.code(403).type('text/plain; charset=utf-8').send('Cross-site request refused.');
    }
    const parsed = LoginForm.safeParse(req.body ?? {});
    const username = parsed.success ? parsed.data.username.trim() : '';
    const f = form(req.params.tenant);
    if (!parsed.success || parsed.data.tap === undefined) {
      const found = checkUsername(ctx.state, username);
      if (!found.ok) return send(reply, signInUsernamePage(tenant(), { username, error: found.refusal, form: f }));
      return send(reply, signInTapPage(tenant(), found.user.userPrincipalName, null, f));
    }
    const now = ctx.clock.now();
    const outcome = checkTap(ctx.state, username, parsed.data.tap, now);
    if (!outcome.ok) {
      if (outcome.refusal.code === 'user-not-found' || outcome.refusal.code === 'username-required') {
        return send(reply, signInUsernamePage(tenant(), { username, error: outcome.refusal, form: f }));
      }
      return send(reply, signInTapPage(tenant(), username, outcome.refusal, f));
    }
    const { user, tap } = outcome;
    // One-time use is consumed at sign-in, not at registration.
    if (tap.isUsableOnce) tap.usedDateTime = now;
    const code = hops.issueCode({
      userId: user.id,
      tapId: tap.id,
      signedInAt: now,
      oneTime: tap.isUsableOnce,
      expiresAt: new Date(tap.startDateTime.getTime() + tap.lifetimeInMinutes * 60_000),
    });
    // In scope of the registration policy: "More information required" first, then the wizard (interrupt.ts).
    if (user.registrationInterrupt) {
      return send(reply, moreInfoRequiredPage(tenant(), user.userPrincipalName, { action: `${hops.mySignIns}/register`, csrfToken: code }, SIGN_IN_TITLE));
    }
    return reply.header('Cache-Control', 'no-store').redirect(`${hops.mySignIns}/signin-oidc?code=${code}`, 302);
  });

  // ---- login.microsoft.com/<tenant>/fido/create: the registration ceremony ----

  const fidoSession = (req: FastifyRequest<{ Params: { tenant: string } }>) => {
    if (hostOf(req) !== FIDO_HOST || !tenantMatches(req.params.tenant)) return null;
    const q = FlowQuery.safeParse(req.query ?? {});
    return q.success ? { handle: q.data.ctx ?? '', found: hops.sessionFor(q.data.ctx) } : { handle: '', found: null };
  };
  const errorPage = () => `${hops.mySignIns}/security-info/error`;

  app.get<{ Params: { tenant: string } }>('/:tenant/fido/create', async (req, reply) => {
    const at = fidoSession(req);
    if (!at) return notHere(reply);
    if (!at.found) return reply.redirect(`${hops.mySignIns}/security-info`, 302);
    if (!signInFresh(at.found.session, ctx.clock.now())) return reply.redirect(hops.reauthUrl(at.found.user), 302);
    const base = `/${req.params.tenant}/fido/create`;
    const ctxParam = `?ctx=${encodeURIComponent(at.handle)}`;
    return send(
      reply,
      fidoCreatePage(tenant(), at.found.user, {
        options: `${base}/options${ctxParam}`,
        verify: `${base}/verify${ctxParam}`,
        errorPage: errorPage(),
        cancel: `${hops.mySignIns}/security-info`,
      }),
    );
  });

  const jsonGuard = (req: FastifyRequest, reply: FastifyReply): boolean => {
    if (req.headers.origin !== undefined && req.headers.origin !== FIDO_ORIGIN) {
      void reply.code(403).send({ redirect: `${errorPage()}?code=verification-failed` });
      return false;
    }
    if (!/^application\/json\b/i.test(String(req.headers['content-type'] ?? ''))) {
      void reply.code(415).send({ redirect: `${errorPage()}?code=verification-failed` });
      return false;
    }
    return true;
  };
  const refuse = (reply: FastifyReply, code: string, user?: UserRecord) =>
    code === 'sign-in-not-fresh' && user
      ? reply.code(401).send({ error: code, redirect: hops.reauthUrl(user) })
      : reply.code(400).send({ error: code, redirect: `${errorPage()}?code=${encodeURIComponent(code)}` });

  app.post<{ Params: { tenant: string } }>('/:tenant/fido/create/options', async (req, reply) => {
    const at = fidoSession(req);
    if (!at) return notHere(reply);
    if (!jsonGuard(req, reply)) return reply;
    if (!at.found) return reply.code(401).send({ redirect: `${hops.mySignIns}/security-info` });
    const result = await creationOptions(ctx.state, at.found.session, at.found.user, ctx.clock.now(), FIDO_RP_ID);
    if (!result.ok) return refuse(reply, result.refusal, at.found.user);
    return reply.send({ options: result.options });
  });

  app.post<{ Params: { tenant: string } }>('/:tenant/fido/create/verify', async (req, reply) => {
    const at = fidoSession(req);
    if (!at) return notHere(reply);
    if (!jsonGuard(req, reply)) return reply;
    if (!at.found) return reply.code(401).send({ redirect: `${hops.mySignIns}/security-info` });
    const { session, user } = at.found;
    const body = RegistrationBody.safeParse(req.body);
    if (!body.success) {
      session.challenge = null;
      return refuse(reply, 'verification-failed');
    }
    const result = await verifyRegistration(ctx.state, session, user, body.data, FIDO_ORIGIN, ctx.clock.now());
    if (!result.ok) return refuse(reply, result.refusal, user);
    session.pending = result.key;
    return reply.send({ redirect: `${hops.mySignIns}/security-info/add/security-key/name` });
  });
}
