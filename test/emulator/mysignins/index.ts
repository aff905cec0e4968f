// My Security Info (emulated mysignins.microsoft.com/security-info) on the plain-HTTP localhost origin, a secure
// context so WebAuthn works. Sign in with username then Temporary Access Pass; list methods; "+ Add sign-in method"
// → "Security key" → "USB device" → browser prompt → "Name your security key" → done; sign out.
// On Microsoft's host names (`signInHost` given) sign-in and the browser prompt run on the sign-in hosts instead,
// as in the real flow: ./hops.ts and ../README.md ("My Security Info's hops").
//
// Public surface: `registerMySignIns(app, ctx)`. Sessions live in this module's memory and are cleared on reset.
//
// For the kiosk's guide panel, every page says where the user is on <body>:
//   data-step  sign-in-username · sign-in-tap · security-info · add-method · security-key-type · webauthn ·
//              name-key · done · signed-out · error
//   data-error (only on a refusal) the sign-in codes of ./signin.ts (`SignInRefusal`: user-not-found, tap-incorrect,
//              account-disabled, external-guest, tap-not-yet-valid, tap-expired, tap-one-time-used, tap-policy,
//              tap-multi-use-not-allowed, …) on the sign-in pages, and on data-step="error" or "add-method" the
//              registration codes of ./registration.ts (`RegistrationRefusal`: registration-window-expired,
//              fido2-not-enabled, fido2-self-service-not-allowed, key-restricted, attestation-required,
//              challenge-expired, verification-failed) or the browser's (webauthn-cancelled, key-already-registered).
// A key is stored only once the user has named it ("Name your security key" → Next); until then nothing exists.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { EmulatorContext } from '../context';
import type { UserRecord } from '../model';
import { tapUsability } from '../store';
import {
  addMethodPage,
  donePage,
  errorPage,
  nameKeyPage,
  type PageMessage,
  securityInfoPage,
  securityKeyTypePage,
  signedOutPage,
  signInTapPage,
  signInUsernamePage,
  usbHopPage,
  webauthnPage,
} from './pages';
import { Hops, registerSignInHops } from './hops';
import { registerInterruptRoutes } from './interrupt';
import { type RegistrationRefusal, RegistrationBody, creationOptions, fido2PolicyAllowsUser, verifyRegistration } from './registration';
import { SESSION_COOKIE, type Session, SessionStore, clearedSessionCookie, parseCookies, registrationDeadline, sessionCookie } from './sessions';
import { checkTap, checkUsername, refusal } from './signin';

export { ONE_TIME_REGISTRATION_WINDOW_MS, SESSION_COOKIE } from './sessions';
export { RP_ID, UNKNOWN_MODEL, type RegistrationRefusal } from './registration';
import { rpIdFor } from './registration';
export type { Step } from './pages';
export type { SignInRefusal } from './signin';

/** Strict: only our own script, style and fetches; no inline anything; no framing; forms post only to us. */
export const CONTENT_SECURITY_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

const STATIC: Record<string, { type: string; body: string }> = {
  '/static/webauthn.js': { type: 'text/javascript; charset=utf-8', body: readStatic('webauthn.js') },
  '/static/mysignins.css': { type: 'text/css; charset=utf-8', body: readStatic('mysignins.css') },
};

function readStatic(name: string): string {
  return readFileSync(new URL(`./static/${name}`, import.meta.url), 'utf8');
}

/** The refusals the registration steps can end in, worded for the user. [INF] except where noted. */
const REGISTRATION_MESSAGES: Record<
  RegistrationRefusal | 'webauthn-cancelled' | 'key-already-registered' | 'webauthn-unsupported' | 'network',
  Omit<PageMessage, 'code'>
> = {
  'registration-window-expired': {
    title: "Your security key can't be registered because more than 10 minutes have passed since you signed in with your one-time Temporary Access Pass.",
    detail: 'A one-time Temporary Access Pass allows 10 minutes from sign-in to register. Ask your admin for a new Temporary Access Pass and sign in again.',
  },
  // [INF] the wording: Microsoft documents the five-minute rule (sessions.ts, FRESH_SIGN_IN_MS), not this page.
  'sign-in-not-fresh': {
    title: 'You need to sign in again before you can add a security key.',
    detail: 'For your security, a security key can be added only within 5 minutes of signing in. Sign in again, then add it.',
  },
  'fido2-not-enabled': { title: "Your organization doesn't allow you to add a security key.", detail: 'Contact your admin.' },
  'fido2-self-service-not-allowed': { title: "Your organization doesn't allow you to set up a security key yourself.", detail: 'Contact your admin.' },
  'key-restricted': { title: "This security key isn't allowed by your organization's policy.", detail: 'Use a different security key, or contact your admin.' },
  'attestation-required': {
    title: "Your organization requires security keys whose make and model can be verified, and this one couldn't be.",
    detail: 'Use a different security key, or contact your admin.',
  },
  'challenge-expired': { title: 'This request took too long.', detail: 'Go back and try again.' },
  'verification-failed': { title: "We couldn't verify your security key.", detail: 'Go back and try again.' },
  'webauthn-cancelled': { title: 'The operation timed out or was not allowed.', detail: 'Go back and try again.' },
  'key-already-registered': { title: 'This security key is already registered to your account.', detail: 'Use a different security key.' },
  'webauthn-unsupported': { title: "This browser can't use security keys.", detail: 'Contact your admin.' },
  network: { title: "We couldn't reach the server.", detail: 'Go back and try again.' },
};

function registrationMessage(code: string): PageMessage {
  const known = REGISTRATION_MESSAGES[code as keyof typeof REGISTRATION_MESSAGES];
  return known ? { code, ...known } : { code: 'unknown', title: 'Something went wrong.', detail: 'Go back and try again.' };
}

const UsernameForm = z.object({ username: z.string().max(320).default('') });
const TapForm = z.object({ username: z.string().max(320).default(''), tap: z.string().max(256).default('') });
const NameForm = z.object({ displayName: z.string().max(1000).default('') });
const NAME_MAX = 64;

/**
 * `signInHost`: on Microsoft's host names, the emulator's HTTPS origin (it answers for login.microsoftonline.com and
 * login.microsoft.com). Then sign-in and the WebAuthn ceremony run there, as in the real flow (./hops.ts); without
 * it (the localhost mode) everything stays on this one origin.
 */
export function registerMySignIns(app: FastifyInstance, ctx: EmulatorContext, options: { signInHost?: FastifyInstance } = {}): void {
  const sessions = new SessionStore();
  ctx.onReset(() => sessions.clear());
  const hops = options.signInHost ? new Hops(ctx, sessions) : null;
  if (hops && options.signInHost) registerSignInHops(options.signInHost, hops, STATIC);
  // A child scope, so our HTML error and not-found handlers replace the core's JSON ones for these pages only.
  void app.register(async (scope) => routes(scope, ctx, sessions, hops));
}

function routes(app: FastifyInstance, ctx: EmulatorContext, sessions: SessionStore, hops: Hops | null): void {
  const tenant = () => ctx.state.seed.displayName;
  /** Where a browser without a session goes: the sign-in host (Microsoft's names), or this origin's /signin. */
  const signInTarget = () => (hops ? hops.signInUrl() : '/signin');
  // Across hosts the session cookie must come back on the redirect chain from the sign-in host: Lax, not Strict.
  const cookieFor = (id: string) => sessionCookie(id, hops ? 'Lax' : 'Strict');

  const sessionOf = (req: FastifyRequest): Session | null => sessions.get(parseCookies(req.headers.cookie)[SESSION_COOKIE], ctx.state, ctx.clock.now());

  const sendPage = (reply: FastifyReply, body: string, status = 200) => reply.code(status).type('text/html; charset=utf-8').send(body);

  /** Pages that need a session: without one (none, signed out, expired, revoked) go back to sign-in. */
  const signedIn = (req: FastifyRequest, reply: FastifyReply): { session: Session; user: UserRecord } | null => {
    const session = sessionOf(req);
    const user = session ? ctx.state.users.get(session.userId) : undefined;
    if (!session || !user) {
      void reply.header('Set-Cookie', clearedSessionCookie()).redirect(signInTarget(), hops ? 302 : 303);
      return null;
    }
    return { session, user };
  };

  app.addHook('onSend', async (_req, reply, payload) => {
    void reply
      .header('Content-Security-Policy', CONTENT_SECURITY_POLICY)
      .header('X-Content-Type-Options', 'nosniff')
      .header('X-Frame-Options', 'DENY')
      .header('Referrer-Policy', 'same-origin') // no-referrer would make Chromium send `Origin: null` on our own form posts
      .header('Cross-Origin-Opener-Policy', 'same-origin');
    if (!reply.hasHeader('Cache-Control')) void reply.header('Cache-Control', 'no-store');
    return payload;
  });

  // State-changing requests come only from our own pages (SameSite=Strict already keeps the cookie off others).
  app.addHook('preHandler', async (req, reply) => {
    if (req.method === 'GET' || req.method === 'HEAD') return;
    const origin = req.headers.origin;
    const site = req.headers['sec-fetch-site'];
    if ((origin !== undefined && origin !== ctx.urls.mySecurityInfo) || (site !== undefined && site !== 'same-origin' && site !== 'none')) {
      return reply.code(403).type('text/plain; charset=utf-8').send('Cross-site request refused.');
    }
  });

  app.setNotFoundHandler(async (_req, reply) =>
    sendPage(reply, errorPage(tenant(), { code: 'not-found', title: "We can't find that page." }, { back: { href: '/', label: 'Go to My Sign-Ins' } }), 404),
  );

  app.setErrorHandler(async (err, req, reply) => {
    const status = (err as { statusCode?: number }).statusCode ?? 500;
    if (status >= 500) req.log.error(err);
    if (req.url.startsWith('/security-info/webauthn/')) {
      return reply.code(status >= 500 ? 500 : 400).send({ redirect: '/security-info/error?code=verification-failed' });
    }
    return sendPage(
      reply,
      errorPage(tenant(), { code: status >= 500 ? 'server-error' : 'bad-request', title: 'Something went wrong.', detail: 'Go back and try again.' }),
      status >= 500 ? 500 : 400,
    );
  });

  for (const [path, file] of Object.entries(STATIC)) {
    app.get(path, async (_req, reply) => reply.type(file.type).header('Cache-Control', 'no-cache').send(file.body));
  }

  app.get('/favicon.ico', async (_req, reply) => reply.code(204).send());
  app.get('/', async (req, reply) => reply.redirect(sessionOf(req) ? '/security-info' : signInTarget(), 303));

  // ---- Sign-in: username, then Temporary Access Pass ----

  app.get('/signin', async (req, reply) => {
    if (sessionOf(req)) return reply.redirect('/security-info', 303);
    if (hops) return reply.redirect(hops.signInUrl(), 302);
    return sendPage(reply, signInUsernamePage(tenant()));
  });

  // Back from the sign-in host (Microsoft's names only): the one-time code becomes this origin's session.
  app.get('/signin-oidc', async (req, reply) => {
    if (!hops) return reply.callNotFound();
    const code = String((req.query as Record<string, unknown>).code ?? '');
    const session = code ? hops.sessionFromCode(code) : null;
    if (!session) return reply.redirect(hops.signInUrl(), 302);
    sessions.end(parseCookies(req.headers.cookie)[SESSION_COOKIE]);
    return reply.header('Set-Cookie', cookieFor(session.id)).redirect('/security-info', 303);
  });

  app.post('/signin', async (req, reply) => {
    if (hops) return reply.callNotFound();
    const form = UsernameForm.safeParse(req.body ?? {});
    const username = form.success ? form.data.username.trim() : '';
    const result = checkUsername(ctx.state, username);
    if (!result.ok) return sendPage(reply, signInUsernamePage(tenant(), { username, error: result.refusal }));
    return sendPage(reply, signInTapPage(tenant(), result.user.userPrincipalName));
  });

  app.post('/signin/tap', async (req, reply) => {
    if (hops) return reply.callNotFound();
    const form = TapForm.safeParse(req.body ?? {});
    const username = form.success ? form.data.username.trim() : '';
    const now = ctx.clock.now();
    const outcome = checkTap(ctx.state, username, form.success ? form.data.tap : '', now);
    if (!outcome.ok) {
      if (outcome.refusal.code === 'user-not-found' || outcome.refusal.code === 'username-required') {
        return sendPage(reply, signInUsernamePage(tenant(), { username, error: outcome.refusal }));
      }
      return sendPage(reply, signInTapPage(tenant(), username, outcome.refusal));
    }
    const { user, tap } = outcome;
    // One-time use is consumed at sign-in, not at registration.
    if (tap.isUsableOnce) tap.usedDateTime = now;
    const previous = parseCookies(req.headers.cookie)[SESSION_COOKIE];
    sessions.end(previous);
    const session = sessions.create({
      userId: user.id,
      tapId: tap.id,
      signedInAt: now,
      oneTime: tap.isUsableOnce,
      expiresAt: new Date(tap.startDateTime.getTime() + tap.lifetimeInMinutes * 60_000),
    });
    return reply.header('Set-Cookie', cookieFor(session.id)).redirect(user.registrationInterrupt ? '/register' : '/security-info', 303);
  });

  app.post('/signout', async (req, reply) => {
    sessions.end(parseCookies(req.headers.cookie)[SESSION_COOKIE]);
    return reply.header('Set-Cookie', clearedSessionCookie()).redirect('/signed-out', 303);
  });

  app.get('/signed-out', async (_req, reply) => sendPage(reply, signedOutPage(tenant())));

  // Sign in again (the registration came more than five minutes after the sign-in): end this session first.
  app.get('/reauth', async (req, reply) => {
    sessions.end(parseCookies(req.headers.cookie)[SESSION_COOKIE]);
    return reply.header('Set-Cookie', clearedSessionCookie()).redirect(signInTarget(), hops ? 302 : 303);
  });

  // The registration interrupt's wizard (interrupt.ts).
  registerInterruptRoutes(app, { ctx, hops, sendPage, cookieFor, signedIn });

  // ---- Security info ----

  app.get('/security-info', async (req, reply) => {
    const s = signedIn(req, reply);
    if (!s) return reply;
    const now = ctx.clock.now();
    const tap = ctx.state.taps.get(s.user.id);
    // The one-time window, or the end of the pass's lifetime if that comes first.
    const window = registrationDeadline(s.session);
    const deadline = window && window.getTime() > s.session.expiresAt.getTime() ? s.session.expiresAt : window;
    return sendPage(
      reply,
      securityInfoPage(tenant(), {
        user: s.user,
        keys: ctx.state.fido2Of(s.user.id).sort((a, b) => a.createdDateTime.getTime() - b.createdDateTime.getTime()),
        tap,
        tapUsable: tap ? tapUsability(ctx.state, tap, now).isUsable : false,
        deadline: deadline && deadline.getTime() > now.getTime() ? deadline : null,
      }),
    );
  });

  app.get('/security-info/add', async (req, reply) => {
    const s = signedIn(req, reply);
    if (!s) return reply;
    const refused = fido2PolicyAllowsUser(ctx.state, s.user);
    return sendPage(reply, addMethodPage(tenant(), s.user, refused ? registrationMessage(refused) : null));
  });

  app.get('/security-info/add/security-key', async (req, reply) => {
    const s = signedIn(req, reply);
    if (!s) return reply;
    return sendPage(reply, securityKeyTypePage(tenant(), s.user));
  });

  app.get('/security-info/add/security-key/usb', async (req, reply) => {
    const s = signedIn(req, reply);
    if (!s) return reply;
    // On Microsoft's names the ceremony is the sign-in host's (login.microsoft.com/<tenant>/fido/create).
    if (hops) return sendPage(reply, usbHopPage(tenant(), s.user, hops.createUrl(s.session)));
    return sendPage(reply, webauthnPage(tenant(), s.user));
  });

  app.get('/security-info/error', async (req, reply) => {
    const s = signedIn(req, reply);
    if (!s) return reply;
    const code = String((req.query as Record<string, unknown>).code ?? '');
    const back =
      code === 'registration-window-expired'
        ? { href: '/security-info', label: 'Back to Security info' }
        : code === 'sign-in-not-fresh'
          ? { href: '/reauth', label: 'Sign in again' }
          : { href: '/security-info/add/security-key', label: 'Back' };
    return sendPage(reply, errorPage(tenant(), registrationMessage(code), { user: s.user, back, heading: "We couldn't add your security key" }));
  });

  // ---- WebAuthn (called by /static/webauthn.js) ----

  const jsonSession = (req: FastifyRequest, reply: FastifyReply) => {
    const session = sessionOf(req);
    const user = session ? ctx.state.users.get(session.userId) : undefined;
    if (!session || !user) {
      void reply.code(401).header('Set-Cookie', clearedSessionCookie()).send({ redirect: '/signin' });
      return null;
    }
    if (!/^application\/json\b/i.test(String(req.headers['content-type'] ?? ''))) {
      void reply.code(415).send({ redirect: '/security-info/error?code=verification-failed' });
      return null;
    }
    return { session, user };
  };
  const refuse = (reply: FastifyReply, code: string) =>
    reply.code(400).send({ error: code, redirect: `/security-info/error?code=${encodeURIComponent(code)}` });

  app.post('/security-info/webauthn/options', async (req, reply) => {
    if (hops) return reply.callNotFound();
    const s = jsonSession(req, reply);
    if (!s) return reply;
    const result = await creationOptions(ctx.state, s.session, s.user, ctx.clock.now(), rpIdFor(ctx.urls.mySecurityInfo));
    if (!result.ok) return refuse(reply, result.refusal);
    return reply.send({ options: result.options });
  });

  app.post('/security-info/webauthn/verify', async (req, reply) => {
    if (hops) return reply.callNotFound();
    const s = jsonSession(req, reply);
    if (!s) return reply;
    const body = RegistrationBody.safeParse(req.body);
    if (!body.success) {
      s.session.challenge = null;
      return refuse(reply, 'verification-failed');
    }
    const result = await verifyRegistration(ctx.state, s.session, s.user, body.data, ctx.urls.mySecurityInfo, ctx.clock.now());
    if (!result.ok) return refuse(reply, result.refusal);
    s.session.pending = result.key;
    return reply.send({ redirect: '/security-info/add/security-key/name' });
  });

  // ---- Name your security key, then done ----

  app.get('/security-info/add/security-key/name', async (req, reply) => {
    const s = signedIn(req, reply);
    if (!s) return reply;
    if (!s.session.pending) return reply.redirect('/security-info', 303);
    return sendPage(reply, nameKeyPage(tenant(), s.user));
  });

  app.post('/security-info/add/security-key/name', async (req, reply) => {
    const s = signedIn(req, reply);
    if (!s) return reply;
    const pending = s.session.pending;
    if (!pending) return reply.redirect('/security-info', 303);
    const form = NameForm.safeParse(req.body ?? {});
    const name = form.success ? form.data.displayName.trim() : '';
    if (!name || name.length > NAME_MAX) {
      const error = { code: 'name-invalid', title: name ? `Use ${NAME_MAX} characters or fewer.` : 'Enter a name for your security key.' };
      return sendPage(reply, nameKeyPage(tenant(), s.user, { value: name, error }));
    }
    const id = randomUUID();
    ctx.state.fido2.set(id, {
      id,
      userId: s.user.id,
      displayName: name,
      createdDateTime: ctx.clock.now(),
      aaGuid: pending.aaGuid,
      model: pending.model,
      attestationLevel: pending.attestationLevel,
      attestationCertificates: pending.attestationCertificates,
      passkeyType: 'deviceBound',
      credentialId: pending.credentialId,
    });
    s.session.pending = null;
    return reply.redirect(`/security-info/add/security-key/done?id=${encodeURIComponent(id)}`, 303);
  });

  app.get('/security-info/add/security-key/done', async (req, reply) => {
    const s = signedIn(req, reply);
    if (!s) return reply;
    const id = String((req.query as Record<string, unknown>).id ?? '');
    const key = ctx.state.fido2.get(id);
    return sendPage(reply, donePage(tenant(), s.user, key && key.userId === s.user.id ? key : undefined));
  });
}

// Exported for tests that want to word-check a refusal without a browser.
export { refusal as signInRefusal };
