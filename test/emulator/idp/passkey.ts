// An operator's sign-in with a passkey (security key), the hops the real sign-in makes:
//
//   login.microsoftonline.com/<tenant>/oauth2/v2.0/authorize   the sign-in page; "Sign-in options" →
//                                                               "Face, fingerprint, PIN or security key" posts to
//   login.microsoft.com/common/fido/get?uiflavor=Web            the WebAuthn get, origin https://login.microsoft.com,
//                                                               RP id login.microsoft.com; the assertion is posted to
//   login.microsoftonline.com/common/login                     type=23, assertion, flowToken → verified here, then
//                                                               the auth-code redirect, exactly as after a password
//
// Sources (see ../README.md, "An operator's passkey sign-in"):
// - The hop and its fields: public passkey sign-in scripts that replay the browser's requests against real tenants,
//   nathanmcnulty/nathanmcnulty Entra/passkeys/PasskeyLogin.ps1 (based on f-bader/TokenTacticsV2): the sign-in
//   page's config carries `sFidoChallenge`, the flow token and the user's FIDO allow list; a form post to
//   `https://login.microsoft.com/common/fido/get?uiflavor=Web` with `postBackUrl`, `cancelUrl`, `ctx`, `username`,
//   `credentialsJson`; the assertion (id, clientDataJSON, authenticatorData, signature, userHandle) posted to
//   `https://login.microsoftonline.com/common/login` with `type=23`, `ps=23`, `flowToken`. The WebAuthn challenge
//   is the ASCII bytes of `sFidoChallenge`; client data origin `https://login.microsoft.com`, RP id
//   `login.microsoft.com`.
// - The URL with `?uiflavor=Web` as a browser shows it: webcompat/web-bugs#131512; `?uiflavor=Host` in
//   Tencent/WeDemo#29 (a user pasting the page's address).
// - The RP id login.microsoft.com: docs/reference/entra-graph.md §0 (provisioning RP id, the same relying party).
// [INF] The emulator's field names on the first form (`ctx` carries our flow token, `ServerChallenge` the
// challenge), a failed or cancelled ceremony posting back with `error` (the real page offers "Sign in another way"),
// the page's wording and the button's place on the user-name page. On localhost (no Microsoft host names) the
// same hop runs on the emulator's one origin with RP id `localhost`.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { verifyAuthenticationResponse } from '@simplewebauthn/server';
import { z } from 'zod';
import type { EmulatorContext } from '../context';
import type { Fido2Record, UserRecord } from '../model';
import type { AuthorizeRequest, PendingFlow } from './grants';
import { fidoGetPage } from './pages';

/** Microsoft's sign-in host and the host the passkey ceremony runs on. */
export const SIGN_IN_HOST = 'login.microsoftonline.com';
export const FIDO_HOST = 'login.microsoft.com';
/** Where the assertion comes back to (the sign-in host's, tenant-independent). */
export const FIDO_POSTBACK_PATH = '/common/login';
const FIDO_GET_PATH = '/common/fido/get';
const FIDO_SCRIPT_PATH = '/common/fido/static/fido-get.js';
/** `type` of the post-back form for a FIDO assertion (PasskeyLogin.ps1: `type = 23`, `ps = 23`). */
const FIDO_POST_TYPE = '23';

const onMicrosoftHosts = (ctx: EmulatorContext) => new URL(ctx.urls.origin).hostname === SIGN_IN_HOST;
/** The origin the ceremony runs on: https://login.microsoft.com, or the emulator's own origin on localhost. */
export const fidoOrigin = (ctx: EmulatorContext) => (onMicrosoftHosts(ctx) ? `https://${FIDO_HOST}` : ctx.urls.origin);
export const fidoRpId = (ctx: EmulatorContext) => new URL(fidoOrigin(ctx)).hostname;
/** The WebAuthn challenge as client data carries it: base64url of the ASCII bytes of the page's challenge. */
export const expectedChallenge = (fidoChallenge: string) => Buffer.from(fidoChallenge, 'ascii').toString('base64url');

/** The keys a passkey sign-in can use: registered with a verified public key. */
function signInKeys(ctx: EmulatorContext, userId?: string): Fido2Record[] {
  return [...ctx.state.fido2.values()].filter((k) => k.credentialId !== null && k.publicKey !== undefined && (!userId || k.userId === userId));
}

const findUser = (ctx: EmulatorContext, upn: string): UserRecord | undefined =>
  [...ctx.state.users.values()].find((u) => u.userPrincipalName.toLowerCase() === upn.trim().toLowerCase());

/**
 * The sign-in page's passkey option: the form to login.microsoft.com/common/fido/get. With a user name (the app's
 * login_hint) the allow list holds that user's keys; without one it is empty and the key offers its discoverable
 * credentials (the real "Sign-in options" path, which asks no user name).
 */
export function passkeyForm(ctx: EmulatorContext, request: AuthorizeRequest, flowToken: string, flow: Pick<PendingFlow, 'fidoChallenge'>) {
  const user = request.loginHint ? findUser(ctx, request.loginHint) : undefined;
  const allowList = user ? signInKeys(ctx, user.id).map((k) => k.credentialId ?? '') : [];
  const fields: [string, string][] = [
    ['ctx', flowToken],
    ['ServerChallenge', flow.fidoChallenge],
    ['postBackUrl', `${ctx.urls.origin}${FIDO_POSTBACK_PATH}`],
    ['cancelUrl', `${ctx.urls.origin}/${request.tenantSegment}/oauth2/v2.0/authorize`],
    ['username', request.loginHint ?? ''],
    ['credentialsJson', JSON.stringify(allowList)],
  ];
  return { action: `${fidoOrigin(ctx)}${FIDO_GET_PATH}?uiflavor=Web`, fields };
}

const FidoGetForm = z.object({
  ctx: z.string().min(1).max(200),
  ServerChallenge: z.string().min(1).max(200),
  postBackUrl: z.string().max(2000),
  cancelUrl: z.string().max(2000).optional(),
  username: z.string().max(320).default(''),
  credentialsJson: z.string().max(20_000).default('[]'),
});

const b64url = z.string().regex(/^[A-Za-z0-9_-]*$/);
const Assertion = z.object({
  id: b64url.min(1).max(1400),
  clientDataJSON: b64url.min(1).max(8192),
  authenticatorData: b64url.min(1).max(8192),
  signature: b64url.min(1).max(1024),
  userHandle: b64url.max(1400).optional(),
});

export const PostBackForm = z.object({
  type: z.literal(FIDO_POST_TYPE),
  flowToken: z.string().min(1).max(200),
  assertion: z.string().max(40_000).default(''),
  error: z.string().max(100).default(''),
});

export type PasskeyOutcome = { ok: true; user: UserRecord } | { ok: false; error: string };

/** [INF] Worded after Entra's FIDO sign-in errors; the real codes (AADSTS135xxx) are not modelled. */
export const PASSKEY_ERRORS = {
  cancelled: "We couldn't sign you in with a passkey. The request was cancelled or timed out. Try again, or sign in another way.",
  unknown: "We don't recognize this passkey. Use a passkey that is registered to your work or school account.",
  otherUser: 'This passkey belongs to a different account than the one you are signing in to.',
  invalid: "We couldn't verify your passkey. Try again, or sign in another way.",
} as const;

/**
 * Checks the assertion posted back for `flow`: the key is a registered one with a public key, the signature, the
 * challenge (this flow's), origin, RP id and user verification are right (@simplewebauthn/server), and with a
 * login_hint the key is that user's. A good assertion moves the key's signature counter on.
 */
export async function verifyPasskey(ctx: EmulatorContext, flow: PendingFlow, assertionJson: string): Promise<PasskeyOutcome> {
  let raw: unknown;
  try {
    raw = JSON.parse(assertionJson);
  } catch {
    return { ok: false, error: PASSKEY_ERRORS.invalid };
  }
  const parsed = Assertion.safeParse(raw);
  if (!parsed.success) return { ok: false, error: PASSKEY_ERRORS.invalid };
  const a = parsed.data;
  const key = signInKeys(ctx).find((k) => k.credentialId === a.id);
  const user = key ? ctx.state.users.get(key.userId) : undefined;
  if (!key?.publicKey || !user) return { ok: false, error: PASSKEY_ERRORS.unknown };
  if (flow.request.loginHint && flow.request.loginHint.toLowerCase() !== user.userPrincipalName.toLowerCase()) {
    return { ok: false, error: PASSKEY_ERRORS.otherUser };
  }
  try {
    const verified = await verifyAuthenticationResponse({
      response: {
        id: a.id,
        rawId: a.id,
        type: 'public-key',
        response: {
          clientDataJSON: a.clientDataJSON,
          authenticatorData: a.authenticatorData,
          signature: a.signature,
          ...(a.userHandle ? { userHandle: a.userHandle } : {}),
        },
        clientExtensionResults: {},
      },
      expectedChallenge: expectedChallenge(flow.fidoChallenge),
      expectedOrigin: fidoOrigin(ctx),
      expectedRPID: fidoRpId(ctx),
      expectedType: 'webauthn.get',
      credential: { id: a.id, publicKey: new Uint8Array(Buffer.from(key.publicKey, 'base64url')), counter: key.signCount ?? 0 },
      requireUserVerification: true,
    });
    if (!verified.verified) return { ok: false, error: PASSKEY_ERRORS.invalid };
    key.signCount = verified.authenticationInfo.newCounter;
  } catch {
    return { ok: false, error: PASSKEY_ERRORS.invalid };
  }
  return { ok: true, user };
}

/** The script of the fido/get page: the WebAuthn get, then the post-back (the page's only script; CSP 'self'). */
const FIDO_GET_SCRIPT = `'use strict';
(() => {
  const params = JSON.parse(document.getElementById('fido-params').textContent);
  const form = document.getElementById('postback');
  const toBytes = (s) => Uint8Array.from(atob(s.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (s.length % 4)) % 4)), (c) => c.charCodeAt(0));
  const toB64url = (buf) => btoa(String.fromCharCode(...new Uint8Array(buf))).replace(/\\+/g, '-').replace(/\\//g, '_').replace(/=+$/, '');
  const post = (name, value) => {
    form.elements[name].value = value;
    form.submit();
  };
  navigator.credentials
    .get({
      publicKey: {
        challenge: new TextEncoder().encode(params.challenge),
        rpId: params.rpId,
        allowCredentials: params.allowList.map((id) => ({ type: 'public-key', id: toBytes(id) })),
        userVerification: 'required',
        timeout: params.timeout,
      },
    })
    .then((credential) => {
      const r = credential.response;
      post('assertion', JSON.stringify({
        id: credential.id,
        clientDataJSON: toB64url(r.clientDataJSON),
        authenticatorData: toB64url(r.authenticatorData),
        signature: toB64url(r.signature),
        userHandle: r.userHandle ? toB64url(r.userHandle) : undefined,
      }));
    })
    .catch((e) => post('error', (e && e.name) || 'Error'));
})();
`;

/** [INF] How long the browser waits for the key. */
const FIDO_TIMEOUT_MS = 120_000;

const hostOf = (req: FastifyRequest) =>
  String(req.headers.host ?? '')
    .replace(/:\d+$/, '')
    .toLowerCase();

/** login.microsoft.com's fido/get page and its script. The post-back route lives with the sign-in form (./authorize.ts). */
export function registerFidoGet(app: FastifyInstance, ctx: EmulatorContext, sendPage: (reply: FastifyReply, status: number, html: string) => unknown): void {
  const onFidoHost = (req: FastifyRequest) => !onMicrosoftHosts(ctx) || hostOf(req) === FIDO_HOST;
  const notHere = (reply: FastifyReply) => reply.code(404).type('text/plain; charset=utf-8').send('Not found.');

  app.get(FIDO_SCRIPT_PATH, async (req, reply) => {
    if (!onFidoHost(req)) return notHere(reply);
    return reply.type('text/javascript; charset=utf-8').header('Cache-Control', 'no-cache').send(FIDO_GET_SCRIPT);
  });

  app.post(FIDO_GET_PATH, async (req, reply) => {
    if (!onFidoHost(req)) return notHere(reply);
    const form = FidoGetForm.safeParse(req.body ?? {});
    // Only back to the emulator's own sign-in host: the page never posts an assertion anywhere else.
    const postBack = form.success && URL.canParse(form.data.postBackUrl) ? new URL(form.data.postBackUrl) : null;
    if (!form.success || !postBack || postBack.origin !== ctx.urls.origin || postBack.pathname !== FIDO_POSTBACK_PATH) {
      return reply.code(400).type('text/plain; charset=utf-8').send('Bad request.');
    }
    let allowList: string[];
    try {
      allowList = z.array(b64url.min(1).max(1400)).max(64).parse(JSON.parse(form.data.credentialsJson));
    } catch {
      return reply.code(400).type('text/plain; charset=utf-8').send('Bad request.');
    }
    const html = fidoGetPage({
      params: { challenge: form.data.ServerChallenge, rpId: fidoRpId(ctx), allowList, timeout: FIDO_TIMEOUT_MS },
      script: FIDO_SCRIPT_PATH,
      postBackUrl: postBack.toString(),
      fields: [
        ['type', FIDO_POST_TYPE],
        ['ps', FIDO_POST_TYPE],
        ['flowToken', form.data.ctx],
        ['assertion', ''],
        ['error', ''],
      ],
    });
    void reply.header(
      'Content-Security-Policy',
      // No form-action: Chromium applies it to the post-back's redirect too, which ends on the app's loopback URI.
      "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'",
    );
    return sendPage(reply, 200, html);
  });
}
