// The operator's session against the emulator, with real @azure/msal-node and the sign-in page in Chromium:
// what each seeded operator may do, cancel, silent refresh, revocation, sign-out and lock, no SSO carry-over
// between operators, the identity provider down, and no token cache on disk.
import fs from 'node:fs';
import https from 'node:https';
import { syncBuiltinESMExports } from 'node:module';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createDirectoryGateway } from '../../main/directory/gateway';
import { createGraphClient } from '../../main/directory/graph-client';
import {
  IdentityProviderUnreachable,
  operatorErrorCodeOf,
  OperatorSignInCancelled,
  OperatorSignInFailed,
  OperatorSignInRequired,
} from '../../main/operator/errors';
import { lockWhenIdle } from '../../main/operator/idle-lock';
import { OperatorSession, type OperatorChange, type OperatorSessionOptions } from '../../main/operator/session';
import { operatorRoleClient } from '../../main/station';
import type { SignInPresenter } from '../../main/operator/presenter';
import { startEmulator, type Emulator } from '../emulator/index';
import { submitSignIn } from '../emulator/support/idp-browser';
import { launchChromiumFor } from '../support/chromium';
import { accessTokenFor } from '../emulator/support/tokens';
import { chromiumPresenter } from './support/chromium-presenter';

const DOMAIN = 'tapkioskdemo.onmicrosoft.com';
const ALEX = `alex.wilber@${DOMAIN}`; // Authentication Administrator
const PATTI = `patti.fernandez@${DOMAIN}`; // Privileged Authentication Administrator
const LIDIA = `lidia.holloway@${DOMAIN}`; // Authentication Policy Administrator
const NESTOR = `nestor.wilke@${DOMAIN}`; // no role
const HENRIETTA = `henrietta.mueller@${DOMAIN}`; // Authentication Administrator through the "Kiosk Operators" group

const TOKEN_PATH = /\/oauth2\/v2\.0\/token$/;
const BROWSER_TEST = 90_000;

let emu: Emulator;
let browser: Browser;
const sessions: OperatorSession[] = [];

beforeAll(async () => {
  emu = await startEmulator();
  browser = await launchChromiumFor(emu);
});
afterAll(async () => {
  for (const s of sessions) await s.dispose();
  await browser?.close();
  await emu?.close();
});
beforeEach(() => emu.reset());

function passwordOf(upn: string): string {
  const operator = emu.operators.find((o) => o.upn === upn);
  if (!operator) throw new Error(`${upn} is not a seeded operator`);
  return operator.password;
}

/** The operator types their own credentials on the page. */
const typing = (upn: string) => (page: Page) => submitSignIn(page, upn, passwordOf(upn));

function session(presenter: SignInPresenter, extra: Partial<OperatorSessionOptions> = {}): OperatorSession {
  const s = new OperatorSession({
    authority: emu.urls.authority,
    clientId: emu.clientId,
    graphBaseUrl: emu.urls.graph,
    caPem: emu.caPem,
    presenter,
    roleClient: operatorRoleClient(emu.urls.graph, { caPem: emu.caPem }),
    networkTimeoutMs: 10_000,
    ...extra,
  });
  sessions.push(s);
  return s;
}

const tokenCalls = () => emu.requestLog().filter((r) => TOKEN_PATH.test(r.path));

function graphPost(path: string, token: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = https.request(`${emu.urls.graph}${path}`, { method: 'POST', ca: emu.caPem, headers: { Authorization: `Bearer ${token}` } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('sign-in and what each operator may do', () => {
  it.each([
    { upn: ALEX, capability: 'members-only', mayReadPolicies: false, roleNames: ['Authentication Administrator'] },
    { upn: PATTI, capability: 'members-and-admins', mayReadPolicies: false, roleNames: ['Privileged Authentication Administrator'] },
    { upn: LIDIA, capability: 'none', mayReadPolicies: true, roleNames: ['Authentication Policy Administrator'] },
    { upn: NESTOR, capability: 'none', mayReadPolicies: false, roleNames: [] },
    { upn: HENRIETTA, capability: 'members-only', mayReadPolicies: false, roleNames: ['Authentication Administrator'] },
  ])(
    '$upn signs in through the page and may act on: $capability',
    async ({ upn, capability, mayReadPolicies, roleNames }) => {
      const s = session(chromiumPresenter(browser, typing(upn)));
      const changes: OperatorChange[] = [];
      s.onChange((c) => changes.push(c));

      const identity = await s.signIn();

      const user = emu.ctx.state.findUser(upn)!;
      expect(identity).toMatchObject({ id: user.id, userPrincipalName: upn, displayName: user.displayName, capability, mayReadPolicies, roleNames });
      expect(identity.rolesFrom).toBe('directory');
      expect(identity.roleTemplateIds).toEqual(emu.ctx.state.rolesOf(user));
      expect(s.current()).toEqual(identity);
      expect(changes).toEqual([{ kind: 'signed-in', identity }]);
      // The roles came from Graph's transitive directory-role listing, with the advanced query parameters.
      const roleRead = emu.requestLog().find((r) => r.path.endsWith('/me/transitiveMemberOf/microsoft.graph.directoryRole'));
      expect(roleRead?.status).toBe(200);
      expect(roleRead?.query).toContain('$count=true');
    },
    BROWSER_TEST,
  );

  it(
    'asks for every kiosk permission at Graph, with PKCE, a state, a nonce and prompt=login',
    async () => {
      const presenter = chromiumPresenter(browser, typing(ALEX));
      const s = session(presenter);
      await s.signIn();
      const url = new URL(presenter.log.urls[0]!);
      expect(url.searchParams.get('prompt')).toBe('login');
      expect(url.searchParams.get('response_mode')).toBe('query');
      expect(url.searchParams.get('code_challenge_method')).toBe('S256');
      expect(url.searchParams.get('state')).toMatch(/.{16,}/);
      expect(url.searchParams.get('nonce')).toMatch(/.{16,}/);
      const asked = url.searchParams.get('scope')?.split(' ') ?? [];
      expect(asked).toEqual(
        expect.arrayContaining([
          'https://graph.microsoft.com/User.Read',
          'https://graph.microsoft.com/User.Read.All',
          'https://graph.microsoft.com/Policy.Read.AuthenticationMethod',
          'https://graph.microsoft.com/User.RevokeSessions.All',
          'offline_access',
        ]),
      );
      // No method permission at the interactive sign-in: one nobody consented would show a consent page (3j).
      expect(asked.filter((scope) => /AuthenticationMethod\.ReadWrite|UserAuthMethod-/.test(scope))).toEqual([]);
      // The seed tenant consented only the broad permission: the least set was refused (AADSTS65001), the broad one used.
      expect(s.methodPermissions()).toBe('broad');
      const claims = await emu.ctx.tokens.verifyAccessToken(await s.getAccessToken());
      expect(claims.scp.split(' ').sort()).toEqual(
        ['Policy.Read.AuthenticationMethod', 'User.Read', 'User.Read.All', 'User.RevokeSessions.All', 'UserAuthenticationMethod.ReadWrite.All'].sort(),
      );
      const refused = tokenCalls().filter((r) => r.status === 400);
      expect(refused).toHaveLength(1);
      expect(s.accessFacts()?.grantedPermissions).toContain('UserAuthenticationMethod.ReadWrite.All');
    },
    BROWSER_TEST,
  );

  it(
    'asks for the least method permissions and keeps them where the tenant consented them (issue 10, 3j)',
    async () => {
      const client = emu.ctx.state.seed.clients[0]!;
      const consented = client.delegatedScopes;
      client.delegatedScopes = [
        ...consented.filter((p) => p !== 'UserAuthenticationMethod.ReadWrite.All'),
        'UserAuthMethod-TAP.ReadWrite.All',
        'UserAuthMethod-Passkey.ReadWrite.All',
      ];
      try {
        const s = session(chromiumPresenter(browser, typing(PATTI)));
        await s.signIn();
        expect(s.methodPermissions()).toBe('least');
        const claims = await emu.ctx.tokens.verifyAccessToken(await s.getAccessToken());
        expect(claims.scp.split(' ')).toEqual(expect.arrayContaining(['UserAuthMethod-TAP.ReadWrite.All', 'UserAuthMethod-Passkey.ReadWrite.All']));
        expect(claims.scp.split(' ')).not.toContain('UserAuthenticationMethod.ReadWrite.All');
        // The least permission creates the pass at the emulator, which honours both (entra-graph.md 1.4 emulator rule).
        const directory = createDirectoryGateway({
          client: createGraphClient({ baseUrl: emu.urls.graph, caPem: emu.caPem, getAccessToken: () => s.getAccessToken() }),
        });
        const issued = await directory.createTap('00000000-0000-4000-8000-000000000010', { lifetimeInMinutes: 60, isUsableOnce: true });
        expect(issued.temporaryAccessPass).toMatch(/\S{8,}/);
      } finally {
        client.delegatedScopes = consented;
      }
    },
    BROWSER_TEST,
  );

  it(
    'a tenant that consented neither method permission: the operator is signed in, and the session knows the permissions are missing',
    async () => {
      const client = emu.ctx.state.seed.clients[0]!;
      const consented = client.delegatedScopes;
      client.delegatedScopes = consented.filter((p) => p !== 'UserAuthenticationMethod.ReadWrite.All');
      try {
        const s = session(chromiumPresenter(browser, typing(PATTI)));
        await s.signIn();
        expect(s.methodPermissions()).toBe('none');
        expect(s.accessFacts()).toMatchObject({ capability: 'members-and-admins' });
        expect(s.accessFacts()?.grantedPermissions).not.toContain('UserAuthenticationMethod.ReadWrite.All');
      } finally {
        client.delegatedScopes = consented;
      }
    },
    BROWSER_TEST,
  );

  it.each([
    { fault: 'refused (403)', spec: { status: 403 } },
    { fault: 'unavailable (503, retried then given up)', spec: { status: 503, headers: { 'Retry-After': '0' } } },
    { fault: 'dropped', spec: { drop: 'before' as const } },
  ])(
    'falls back to the token’s wids claim only when Graph’s role read fails ($fault), and says so',
    async ({ spec }) => {
      emu.injectFault({ path: '/transitiveMemberOf/microsoft\\.graph\\.directoryRole$', count: 5, ...spec });
      const s = session(chromiumPresenter(browser, typing(ALEX)));
      const identity = await s.signIn();
      expect(identity.rolesFrom).toBe('token');
      expect(identity.capability).toBe('members-only');
      expect(identity.roleNames).toEqual(['Authentication Administrator']);
      expect(emu.requestLog().some((r) => r.path.endsWith('/me/transitiveMemberOf/microsoft.graph.directoryRole') && r.fault !== undefined)).toBe(true);
    },
    BROWSER_TEST,
  );
});

describe('the page: wrong password, cancel, refusals', () => {
  it(
    'a wrong password keeps the operator on the page; aborting the sign-in rejects with a cancel and mints nothing',
    async () => {
      const controller = new AbortController();
      let pageUrl = '';
      const presenter = chromiumPresenter(browser, async (page) => {
        await submitSignIn(page, ALEX, 'not the password');
        await page.getByRole('alert').waitFor();
        expect(await page.getByRole('alert').textContent()).toContain('Your account or password is incorrect.');
        pageUrl = page.url();
        controller.abort();
        await new Promise<never>(() => undefined); // the operator walks away; only the abort ends this
      });
      const s = session(presenter);

      const error = await s.signIn(controller.signal).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(OperatorSignInCancelled);
      expect((error as Error).message).toBe('Sign-in was cancelled.');
      expect(new URL(pageUrl).pathname).toMatch(/\/oauth2\/v2\.0\/authorize$/);
      expect(s.current()).toBeNull();
      expect(tokenCalls()).toEqual([]);
      expect(s.heldTokens()).toEqual({ accounts: 0, idTokens: 0, accessTokens: 0, refreshTokens: 0 });
      await expect(s.getAccessToken()).rejects.toBeInstanceOf(OperatorSignInRequired);
    },
    BROWSER_TEST,
  );

  it('an already aborted signal never shows the page', async () => {
    const presenter = chromiumPresenter(browser, typing(ALEX));
    const s = session(presenter);
    await expect(s.signIn(AbortSignal.abort())).rejects.toBeInstanceOf(OperatorSignInCancelled);
    expect(presenter.log.shown).toBe(0);
  });

  it(
    'signing out while the page is open cancels the sign-in',
    async () => {
      const holder: { session?: OperatorSession } = {};
      const presenter = chromiumPresenter(browser, async (page) => {
        await page.getByLabel('Password').waitFor();
        await holder.session!.signOut();
        await new Promise<never>(() => undefined);
      });
      const s = (holder.session = session(presenter));
      await expect(s.signIn()).rejects.toBeInstanceOf(OperatorSignInCancelled);
      expect(s.current()).toBeNull();
    },
    BROWSER_TEST,
  );

  it('the operator closing the page is a cancel; a page that cannot be shown is a presenter failure', async () => {
    const closed = session(async () => {
      throw Object.assign(new Error('The operator closed the sign-in window.'), { code: 'cancelled' });
    });
    await expect(closed.signIn()).rejects.toBeInstanceOf(OperatorSignInCancelled);
    const broken = session(async () => {
      throw new Error('no display');
    });
    const error = await broken.signIn().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OperatorSignInFailed);
    expect(error).toMatchObject({ reason: 'presenter', message: 'The sign-in page could not be shown.' });
    expect(broken.current()).toBeNull();
  });

  it('a second sign-in while the page is open is refused as busy', async () => {
    const controller = new AbortController();
    let opened!: () => void;
    const pageOpen = new Promise<void>((resolve) => (opened = resolve));
    const s = session(async ({ signal }) => {
      opened();
      return new Promise<string>((_, reject) => signal.addEventListener('abort', () => reject(new Error('closed'))));
    });
    const first = s.signIn(controller.signal).catch((e: unknown) => e);
    await pageOpen;
    const second = await s.signIn().catch((e: unknown) => e);
    expect(second).toBeInstanceOf(OperatorSignInFailed);
    expect((second as OperatorSignInFailed).reason).toBe('busy');
    controller.abort();
    expect(await first).toBeInstanceOf(OperatorSignInCancelled);
  });

  it(
    'an error redirect from the identity provider is a typed refusal naming the OAuth error',
    async () => {
      // Asking for a resource the tenant does not know makes the emulator (like Entra) redirect with error=.
      const presenter = chromiumPresenter(browser, async () => undefined);
      const s = session(presenter, { graphResource: 'https://api.contoso.example' });
      const error = await s.signIn().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OperatorSignInFailed);
      expect((error as OperatorSignInFailed).reason).toBe('refused');
      expect((error as OperatorSignInFailed).oauthError).toBe('invalid_resource');
      expect((error as Error).message).toMatch(/^The identity provider refused the sign-in \(invalid_resource\): AADSTS500011/);
      expect(tokenCalls()).toEqual([]);
    },
    BROWSER_TEST,
  );

  it('the operator declining (error=access_denied on the redirect) is a refusal; a foreign state is refused before any code is redeemed', async () => {
    const reply =
      (build: (state: string, redirectUri: string) => string): SignInPresenter =>
      async ({ url, redirectUri }) =>
        build(new URL(url).searchParams.get('state') ?? '', redirectUri);

    const declined = session(
      reply((state, r) => `${r}?error=access_denied&error_description=${encodeURIComponent('AADSTS65004: User declined to consent.')}&state=${state}`),
    );
    const e1 = await declined.signIn().catch((e: unknown) => e);
    expect(e1).toBeInstanceOf(OperatorSignInFailed);
    expect(e1).toMatchObject({ reason: 'refused', oauthError: 'access_denied' });

    const forged = session(reply((_state, r) => `${r}?code=stolen-code&state=someone-elses`));
    const e2 = await forged.signIn().catch((e: unknown) => e);
    expect(e2).toMatchObject({ reason: 'state-mismatch' });
    expect((e2 as Error).message).not.toContain('stolen-code');

    const elsewhere = session(reply((state) => `https://evil.example/cb?code=x&state=${state}`));
    expect(await elsewhere.signIn().catch((e: unknown) => e)).toMatchObject({ reason: 'invalid-redirect' });
    expect(tokenCalls()).toEqual([]);
  });
});

describe('tokens: silent reuse, refresh, revocation', () => {
  it(
    'reuses the cached token silently and refreshes through the refresh token when forced',
    async () => {
      const s = session(chromiumPresenter(browser, typing(ALEX)));
      await s.signIn();
      const before = tokenCalls().length;

      const first = await s.getAccessToken();
      const again = await s.getAccessToken();
      expect(again).toBe(first);
      expect(tokenCalls().length).toBe(before); // from memory

      const refreshed = await s.getAccessToken({ forceRefresh: true });
      expect(refreshed).not.toBe(first);
      // (The sign-in's own calls include the refused least-permission probe: count calls, not successes.)
      expect(tokenCalls().length).toBe(before + 1);
      expect(tokenCalls().at(-1)?.status).toBe(200);
      const claims = await emu.ctx.tokens.verifyAccessToken(refreshed);
      expect(claims.oid).toBe(emu.ctx.state.findUser(ALEX)!.id);
    },
    BROWSER_TEST,
  );

  it(
    'after another admin revokes the operator’s sessions, the next refresh asks for sign-in and drops the account',
    async () => {
      const s = session(chromiumPresenter(browser, typing(ALEX)));
      const changes: OperatorChange[] = [];
      s.onChange((c) => changes.push(c));
      const alex = await s.signIn();

      emu.advanceClock(1);
      expect(await graphPost(`/users/${alex.id}/revokeSignInSessions`, await accessTokenFor(emu, PATTI))).toBe(200);

      const error = await s.getAccessToken({ forceRefresh: true }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OperatorSignInRequired);
      expect((error as OperatorSignInRequired).reason).toBe('session-ended');
      expect(s.current()).toBeNull();
      expect(changes.at(-1)).toEqual({ kind: 'signed-out', identity: alex, reason: 'session-ended' });
      expect(s.heldTokens()).toEqual({ accounts: 0, idTokens: 0, accessTokens: 0, refreshTokens: 0 });

      const calls = emu.requestLog().length;
      await expect(s.getAccessToken()).rejects.toMatchObject({ reason: 'signed-out' });
      expect(emu.requestLog().length).toBe(calls);
    },
    BROWSER_TEST,
  );
});

describe('sign-out and lock', () => {
  it.each(['signOut', 'lock'] as const)(
    '%s drops every token: nothing left that can mint one, and no network call to find out',
    async (how) => {
      const s = session(chromiumPresenter(browser, typing(PATTI)));
      const changes: OperatorChange[] = [];
      s.onChange((c) => changes.push(c));
      const { idle, dispose } = lockWhenIdle(s, { minutes: 60 });
      const patti = await s.signIn();
      await s.getAccessToken();
      expect(s.heldTokens()).toMatchObject({ accounts: 1, refreshTokens: 1 });
      expect(idle.isRunning()).toBe(true);

      await s[how]();
      expect(idle.isRunning()).toBe(false);
      dispose();

      expect(s.current()).toBeNull();
      expect(s.heldTokens()).toEqual({ accounts: 0, idTokens: 0, accessTokens: 0, refreshTokens: 0 });
      expect(changes.at(-1)).toEqual({ kind: 'signed-out', identity: patti, reason: how === 'lock' ? 'locked' : 'signed-out' });
      const calls = emu.requestLog().length;
      const error = await s.getAccessToken({ forceRefresh: true }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OperatorSignInRequired);
      expect((error as OperatorSignInRequired).reason).toBe('signed-out');
      // Through the Graph client (which re-wraps whatever getAccessToken throws) it is still recognisable.
      const graph = createGraphClient({ baseUrl: emu.urls.graph, caPem: emu.caPem, getAccessToken: () => s.getAccessToken() });
      const viaGraph = await graph
        .api('/me')
        .get()
        .catch((e: unknown) => e);
      expect(operatorErrorCodeOf(viaGraph)).toBe('sign-in-required');
      expect(emu.requestLog().length).toBe(calls);
    },
    BROWSER_TEST,
  );

  it(
    'the next operator is asked for credentials even in the same browser session (no SSO carry-over)',
    async () => {
      const context = await browser.newContext();
      try {
        const seen: { upn: string; form: boolean }[] = [];
        const next = [ALEX, PATTI];
        const presenter = chromiumPresenter(
          browser,
          async (page) => {
            const upn = next.shift()!;
            seen.push({ upn, form: await page.getByLabel('Password').isVisible() });
            await submitSignIn(page, upn, passwordOf(upn));
          },
          { context },
        );
        const s = session(presenter);
        expect((await s.signIn()).userPrincipalName).toBe(ALEX);
        // The identity provider did set its session cookie: without prompt=login it would sign Alex in again.
        expect((await context.cookies()).map((c) => c.name)).toContain('emu_estsauth');
        await s.signOut();

        const second = await s.signIn();
        expect(second.userPrincipalName).toBe(PATTI);
        expect(second.capability).toBe('members-and-admins');
        expect(seen).toEqual([
          { upn: ALEX, form: true },
          { upn: PATTI, form: true },
        ]);
      } finally {
        await context.close();
      }
    },
    BROWSER_TEST,
  );

  it(
    'a new sign-in while someone is signed in drops the previous operator first',
    async () => {
      const next = [ALEX, LIDIA];
      const s = session(chromiumPresenter(browser, async (page) => typing(next.shift()!)(page)));
      const changes: OperatorChange[] = [];
      s.onChange((c) => changes.push(c));
      const alex = await s.signIn();
      const lidia = await s.signIn();
      expect(changes.map((c) => (c.kind === 'signed-in' ? `in:${c.identity.userPrincipalName}` : `out:${c.reason}`))).toEqual([
        `in:${ALEX}`,
        'out:replaced',
        `in:${LIDIA}`,
      ]);
      expect(alex.id).not.toBe(lidia.id);
      expect(s.heldTokens().accounts).toBe(1);
      const claims = await emu.ctx.tokens.verifyAccessToken(await s.getAccessToken());
      expect(claims.oid).toBe(lidia.id);
    },
    BROWSER_TEST,
  );
});

describe('the identity provider down', () => {
  it('a closed emulator at start: a clear typed error, the page never shown', async () => {
    const gone = await startEmulator();
    const { authority, graph } = gone.urls;
    const { caPem, clientId } = gone;
    await gone.close();
    const presenter = chromiumPresenter(browser, typing(ALEX));
    const s = new OperatorSession({
      authority,
      clientId,
      graphBaseUrl: graph,
      caPem,
      presenter,
      roleClient: operatorRoleClient(graph, { caPem }),
      networkTimeoutMs: 5_000,
    });
    sessions.push(s);

    const error = await s.signIn().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IdentityProviderUnreachable);
    expect((error as IdentityProviderUnreachable).host).toBe(new URL(authority).host);
    expect((error as Error).message).toMatch(/^The sign-in service \(localhost:\d+\) cannot be reached: /);
    expect(presenter.log.shown).toBe(0);
    expect(s.current()).toBeNull();
  });

  it(
    'the discovery document dropped: typed error, and the next attempt works',
    async () => {
      emu.injectFault({ path: '/v2\\.0/\\.well-known/openid-configuration$', drop: 'before' });
      const presenter = chromiumPresenter(browser, typing(ALEX));
      const s = session(presenter);
      await expect(s.signIn()).rejects.toBeInstanceOf(IdentityProviderUnreachable);
      expect(presenter.log.shown).toBe(0);

      expect((await s.signIn()).userPrincipalName).toBe(ALEX);
    },
    BROWSER_TEST,
  );

  it(
    'the token endpoint dropped after the page: typed error, signed out, nothing held',
    async () => {
      emu.injectFault({ method: 'POST', path: '/oauth2/v2\\.0/token$', drop: 'before' });
      const presenter = chromiumPresenter(browser, typing(ALEX));
      const s = session(presenter);
      const error = await s.signIn().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(IdentityProviderUnreachable);
      expect(presenter.log.shown).toBe(1);
      expect(s.current()).toBeNull();
      expect(s.heldTokens()).toEqual({ accounts: 0, idTokens: 0, accessTokens: 0, refreshTokens: 0 });
    },
    BROWSER_TEST,
  );

  it(
    'a refresh that cannot reach the identity provider is transient: the operator stays signed in',
    async () => {
      const s = session(chromiumPresenter(browser, typing(ALEX)));
      await s.signIn();
      emu.injectFault({ method: 'POST', path: '/oauth2/v2\\.0/token$', drop: 'before' });
      await expect(s.getAccessToken({ forceRefresh: true })).rejects.toBeInstanceOf(IdentityProviderUnreachable);
      expect(s.current()?.userPrincipalName).toBe(ALEX);
      expect(await s.getAccessToken({ forceRefresh: true })).toMatch(/^ey/);
    },
    BROWSER_TEST,
  );
});

describe('the token cache stays in memory', () => {
  it(
    'sign-in, refresh and sign-out write no token anywhere through fs, and MSAL has no cache plugin',
    async () => {
      const writes: { fn: string; target: string; data: string }[] = [];
      const text = (v: unknown) => (typeof v === 'string' ? v : Buffer.isBuffer(v) || v instanceof Uint8Array ? Buffer.from(v).toString('utf8') : '');
      const spy = <T extends object>(target: T, fn: keyof T & string, label: string): { mockRestore(): void } => {
        const original = (target[fn] as (...a: unknown[]) => unknown).bind(target);
        return vi.spyOn(target, fn as never).mockImplementation(((...args: unknown[]) => {
          writes.push({ fn: label, target: String(args[0]), data: text(args[1]) });
          return original(...args);
        }) as never);
      };
      const spies = [
        ...(['writeFileSync', 'appendFileSync', 'writeFile', 'appendFile', 'writeSync', 'write', 'createWriteStream', 'openSync', 'open'] as const).map((fn) =>
          spy(fs, fn, fn),
        ),
        ...(['writeFile', 'appendFile', 'open'] as const).map((fn) => spy(fs.promises, fn, `promises.${fn}`)),
      ];
      syncBuiltinESMExports();
      try {
        const s = session(chromiumPresenter(browser, typing(ALEX)));
        await s.signIn();
        const access = await s.getAccessToken();
        const pca = (s as any).pca;
        const cache = JSON.parse(pca.getTokenCache().serialize());
        const refresh = Object.values(cache.RefreshToken as Record<string, { secret: string }>)[0]!.secret;
        const refreshed = await s.getAccessToken({ forceRefresh: true });
        await s.signOut();

        expect(pca.getTokenCache().persistence).toBeUndefined();
        const secrets = [access, refreshed, refresh];
        const leaks = writes.filter((w) => secrets.some((secret) => w.data.includes(secret)) || /RefreshToken|AccessToken/.test(w.data));
        expect(leaks).toEqual([]);
        expect(writes.filter((w) => /msal|token.?cache/i.test(w.target))).toEqual([]);
      } finally {
        for (const spy of spies) spy.mockRestore();
        syncBuiltinESMExports();
      }
    },
    BROWSER_TEST,
  );
});
