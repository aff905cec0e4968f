// Real @azure/msal-node against the emulator's identity provider: an operator signs in with the authorization
// code flow and PKCE on the sign-in page in real Chromium, Graph accepts the token, a silent forced refresh
// goes through the refresh token, and after revokeSignInSessions MSAL asks for interaction again.
import https from 'node:https';
import {
  type AccountInfo,
  type AuthenticationResult,
  ClientAuthError,
  CryptoProvider,
  InteractionRequiredAuthError,
  PublicClientApplication,
} from '@azure/msal-node';
import AxeBuilder from '@axe-core/playwright';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MsalNetworkClient } from '../../main/operator/network-client';
import { startEmulator, type Emulator } from './index';
import { generateTls } from './tls';
import { submitSignIn } from './support/idp-browser';
import { launchChromiumFor } from '../support/chromium';

const SCOPES = ['https://graph.microsoft.com/User.Read', 'https://graph.microsoft.com/Policy.Read.AuthenticationMethod'];
const REDIRECT_URI = 'http://localhost:47011/auth/callback';
const LIDIA = 'lidia.holloway@tapkioskdemo.onmicrosoft.com'; // Authentication Policy Administrator

let emu: Emulator;
let browser: Browser;
let network: MsalNetworkClient;

beforeAll(async () => {
  emu = await startEmulator();
  browser = await launchChromiumFor(emu);
  network = new MsalNetworkClient({ caPem: emu.caPem, timeoutMs: 10_000 });
});
afterAll(async () => {
  network?.dispose();
  await browser?.close();
  await emu?.close();
});
beforeEach(() => emu.reset());

function operatorApp(): PublicClientApplication {
  return new PublicClientApplication({
    auth: { clientId: emu.clientId, authority: emu.urls.authority, knownAuthorities: [emu.urls.authorityHost] },
    system: { networkClient: network },
  });
}

/** The kiosk's sign-in: PKCE pair, the browser on the authorize URL, the operator types, MSAL redeems the code. */
async function signIn(pca: PublicClientApplication, upn: string): Promise<AuthenticationResult> {
  const operator = emu.operators.find((o) => o.upn === upn);
  if (!operator) throw new Error(`${upn} is not a seeded operator`);
  const crypto = new CryptoProvider();
  const { verifier, challenge } = await crypto.generatePkceCodes();
  const state = crypto.createNewGuid();
  const nonce = crypto.createNewGuid();
  const url = await pca.getAuthCodeUrl({
    scopes: SCOPES,
    redirectUri: REDIRECT_URI,
    codeChallenge: challenge,
    codeChallengeMethod: 'S256',
    state,
    nonce,
    prompt: 'login',
  });

  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    let callback: URL | undefined;
    // The redirect is answered in the browser, as the kiosk's loopback listener would.
    await page.route(`${new URL(REDIRECT_URI).origin}/**`, async (route) => {
      callback = new URL(route.request().url());
      await route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><title>Signed in</title><p>You can close this window.</p>' });
    });
    await page.goto(url);
    await submitSignIn(page, operator.upn, operator.password);
    await page.waitForURL((u) => u.href.startsWith(REDIRECT_URI));
    if (!callback) throw new Error('no redirect to the app');
    const code = callback.searchParams.get('code');
    if (!code) throw new Error(`sign-in failed: ${callback.searchParams.get('error_description')}`);
    return await pca.acquireTokenByCode(
      { code, scopes: SCOPES, redirectUri: REDIRECT_URI, codeVerifier: verifier, state },
      { code, state: callback.searchParams.get('state') ?? '', nonce, client_info: callback.searchParams.get('client_info') ?? '' },
    );
  } finally {
    await context.close();
  }
}

function graphGet(path: string, token: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    https
      .get(`${emu.urls.graph}${path}`, { ca: emu.caPem, headers: { Authorization: `Bearer ${token}` } }, (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

function formPost(url: string, form: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method: 'POST', ca: emu.caPem, headers: { 'Content-Type': 'application/x-www-form-urlencoded' } }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve(body));
    });
    req.on('error', reject);
    req.end(new URLSearchParams(form).toString());
  });
}

const TAP_POLICY = '/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/TemporaryAccessPass';

describe('@azure/msal-node 7 against the emulator', () => {
  it('signs an operator in with auth code + PKCE through the sign-in page, and Graph accepts the access token', async () => {
    const pca = operatorApp();
    const result = await signIn(pca, LIDIA);

    const lidia = emu.ctx.state.findUser(LIDIA)!;
    expect(result.account?.username).toBe(LIDIA);
    expect(result.account?.homeAccountId).toBe(`${lidia.id}.${emu.tenantId}`);
    expect(result.account?.localAccountId).toBe(lidia.id);
    expect(result.account?.tenantId).toBe(emu.tenantId);
    expect(result.account?.name).toBe('Lidia Holloway');
    expect(result.uniqueId).toBe(lidia.id);
    expect(result.scopes.map((s) => s.toLowerCase())).toEqual(expect.arrayContaining(SCOPES.map((s) => s.toLowerCase())));

    const claims = await emu.ctx.tokens.verifyAccessToken(result.accessToken);
    expect(claims.oid).toBe(lidia.id);
    expect(claims.scp.split(' ').sort()).toEqual(['Policy.Read.AuthenticationMethod', 'User.Read']);
    expect(claims.wids).toEqual(emu.ctx.state.rolesOf(lidia));
    expect(claims.appid).toBe(emu.clientId);

    const policy = await graphGet(TAP_POLICY, result.accessToken);
    expect(policy.status).toBe(200);
    expect(JSON.parse(policy.body).id).toBe('TemporaryAccessPass');
  });

  it('refreshes silently through the refresh token (forceRefresh), and the new token works', async () => {
    const pca = operatorApp();
    const first = await signIn(pca, LIDIA);
    const before = emu.requestLog().filter((r) => r.path.endsWith('/oauth2/v2.0/token')).length;

    const account = first.account as AccountInfo;
    const cached = await pca.acquireTokenSilent({ account, scopes: SCOPES });
    expect(cached.accessToken).toBe(first.accessToken); // from the cache: no network
    expect(emu.requestLog().filter((r) => r.path.endsWith('/oauth2/v2.0/token')).length).toBe(before);

    const refreshed = await pca.acquireTokenSilent({ account, scopes: SCOPES, forceRefresh: true });
    expect(refreshed.accessToken).not.toBe(first.accessToken);
    expect(emu.requestLog().filter((r) => r.path.endsWith('/oauth2/v2.0/token') && r.status === 200).length).toBe(before + 1);
    expect((await graphGet(TAP_POLICY, refreshed.accessToken)).status).toBe(200);
  });

  it('after revokeSignInSessions, a silent refresh fails with InteractionRequiredAuthError', async () => {
    const pca = operatorApp();
    const first = await signIn(pca, LIDIA);
    // What POST /users/{id}/revokeSignInSessions does to the user (reference 5.4).
    emu.advanceClock(1);
    emu.ctx.state.findUser(LIDIA)!.signInSessionsValidFromDateTime = emu.ctx.clock.now();

    const error = await pca.acquireTokenSilent({ account: first.account as AccountInfo, scopes: SCOPES, forceRefresh: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InteractionRequiredAuthError);
    expect((error as InteractionRequiredAuthError).subError).toBe('bad_token');
    expect((error as InteractionRequiredAuthError).errorMessage).toContain('AADSTS50173');

    // Signing in again works.
    const again = await signIn(pca, LIDIA);
    expect((await graphGet(TAP_POLICY, again.accessToken)).status).toBe(200);
  });

  it("acquireTokenInteractive: msal-node's own loopback listener receives the code by form_post", async () => {
    const pca = operatorApp();
    const operator = emu.operators.find((o) => o.upn === LIDIA)!;
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      const result = await pca.acquireTokenInteractive({
        scopes: SCOPES,
        prompt: 'login',
        successTemplate: '<p>Signed in. You can close this window.</p>',
        openBrowser: async (url) => {
          expect(new URL(url).searchParams.get('response_mode')).toBe('form_post');
          await page.goto(url);
          await submitSignIn(page, operator.upn, operator.password);
        },
      });
      expect(result.account?.username).toBe(LIDIA);
      await page.getByText('Signed in. You can close this window.').waitFor();
      expect((await graphGet(TAP_POLICY, result.accessToken)).status).toBe(200);
    } finally {
      await context.close();
    }
  });

  it('acquireTokenByDeviceCode: polls until the operator signs in on the verification page', async () => {
    const pca = operatorApp();
    const operator = emu.operators.find((o) => o.upn === LIDIA)!;
    let approval: Promise<void> | undefined;
    const result = await pca.acquireTokenByDeviceCode({
      scopes: SCOPES,
      deviceCodeCallback: (response) => {
        // The person at another device, here driven over HTTP: enter the code, then the credentials.
        approval = (async () => {
          const page = await formPost(response.verificationUri, { otc: response.userCode });
          const flowToken = /name="flowToken" value="([^"]+)"/.exec(page)?.[1] ?? '';
          await formPost(`${emu.urls.authority}oauth2/v2.0/authorize`, { flowToken, username: operator.upn, password: operator.password });
        })();
      },
    });
    await approval;
    expect(result?.account?.username).toBe(LIDIA);
    expect((await graphGet(TAP_POLICY, result!.accessToken)).status).toBe(200);
  });

  it('the sign-in page passes axe (WCAG 2.1 A/AA), with its error state too', async () => {
    const pca = operatorApp();
    const url = await pca.getAuthCodeUrl({ scopes: SCOPES, redirectUri: REDIRECT_URI, codeChallenge: 'x'.repeat(43), codeChallengeMethod: 'S256' });
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(url);
      const audit = async () =>
        (await new AxeBuilder({ page: page as never }).withTags(['wcag2a', 'wcag2aa', 'wcag21aa']).analyze()).violations.map((v) => v.id);
      expect(await audit()).toEqual([]);
      await submitSignIn(page, LIDIA, 'wrong password');
      await page.getByRole('alert').waitFor();
      expect(await page.getByRole('alert').textContent()).toContain('Your account or password is incorrect.');
      expect(await audit()).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('cannot reach the emulator through a network client that trusts another CA (TLS checks stay on)', async () => {
    const other = new MsalNetworkClient({ caPem: (await generateTls()).caPem });
    try {
      const direct = await other.sendGetRequestAsync(`${emu.urls.authority}v2.0/.well-known/openid-configuration`).catch((e: unknown) => e);
      expect(direct).toBeInstanceOf(ClientAuthError);
      expect((direct as ClientAuthError).errorCode).toBe('network_error');
      expect((direct as ClientAuthError).errorMessage).toMatch(/certificate|self.signed|unable to verify/i);
      const pca = new PublicClientApplication({
        auth: { clientId: emu.clientId, authority: emu.urls.authority, knownAuthorities: [emu.urls.authorityHost] },
        system: { networkClient: other },
      });
      await expect(pca.getAuthCodeUrl({ scopes: SCOPES, redirectUri: REDIRECT_URI })).rejects.toThrow();
    } finally {
      other.dispose();
    }
  });
});

describe('MsalNetworkClient', () => {
  it('returns status, lower-case headers and the parsed JSON body, for errors too', async () => {
    const ok = await network.sendGetRequestAsync<{ issuer: string }>(`${emu.urls.authority}v2.0/.well-known/openid-configuration`);
    expect(ok.status).toBe(200);
    expect(ok.body.issuer).toBe(emu.urls.issuer);
    expect(ok.headers['content-type']).toMatch(/application\/json/);
    const bad = await network.sendPostRequestAsync<{ error: string }>(`${emu.urls.authority}oauth2/v2.0/token`, {
      headers: { 'Content-Type': 'application/x-www-form-urlencoded;charset=utf-8' },
      body: 'grant_type=refresh_token&client_id=' + emu.clientId + '&scope=openid&refresh_token=nope',
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toBe('invalid_grant');
  });

  it('gives up after its deadline with a network_error', async () => {
    emu.injectFault({ path: '/v2.0/.well-known/openid-configuration$', delayMs: 2_000 });
    const quick = new MsalNetworkClient({ caPem: emu.caPem, timeoutMs: 200 });
    try {
      const e = await quick.sendGetRequestAsync(`${emu.urls.authority}v2.0/.well-known/openid-configuration`).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(ClientAuthError);
      expect((e as ClientAuthError).errorMessage).toBe('Request timeout');
    } finally {
      quick.dispose();
    }
  });

  it('without an explicit CA it trusts the system store only, which does not hold the emulator CA', async () => {
    const production = new MsalNetworkClient();
    try {
      const e = await production.sendGetRequestAsync(`${emu.urls.authority}v2.0/.well-known/openid-configuration`).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(ClientAuthError);
      expect((e as ClientAuthError).errorMessage).toMatch(/certificate|unable to verify|self.signed/i);
    } finally {
      production.dispose();
    }
  });

  it('refuses plain http', async () => {
    const e = await network.sendGetRequestAsync(emu.urls.mySecurityInfo + '/').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ClientAuthError);
    expect((e as ClientAuthError).errorMessage).toMatch(/HTTPS only/);
  });
});
