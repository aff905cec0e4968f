// The production configuration on Microsoft's real host names: authority https://login.microsoftonline.com/<tenant>/,
// Graph https://graph.microsoft.com/v1.0, My Security Info https://mysignins.microsoft.com — each name mapped to the
// emulator's loopback ports (main/net/https-agent.ts for the Node clients, --host-resolver-rules for Chromium), with
// only the emulator's CA trusted. The kiosk code runs unchanged: only the trust and the mapping are injected.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGraphClient } from '../../main/directory/graph-client';
import { createHttpsAgent, mappedTarget } from '../../main/net/https-agent';
import { OperatorSession } from '../../main/operator/session';
import { operatorRoleClient } from '../../main/station';
import { startEmulator, type Emulator } from '../emulator/index';
import { MICROSOFT_HOSTS } from '../emulator/server';
import { submitSignIn } from '../emulator/support/idp-browser';
import { launchChromiumFor } from '../support/chromium';
import { accessTokenFor } from '../emulator/support/tokens';
import { chromiumPresenter } from '../operator/support/chromium-presenter';

const ALEX = 'alex.wilber@tapkioskdemo.onmicrosoft.com';

let emu: Emulator;
let browser: Browser;

beforeAll(async () => {
  emu = await startEmulator({ hosts: 'microsoft' });
  browser = await launchChromiumFor(emu);
});
afterAll(async () => {
  await browser?.close();
  await emu?.close();
});

function get(url: string, trust: { caPem?: string; hostMap?: Emulator['hostMap'] }): Promise<number> {
  const agent = createHttpsAgent(trust);
  return fetchStatus(url, agent).finally(() => agent.destroy());
}

async function fetchStatus(url: string, agent: import('node:https').Agent): Promise<number> {
  const https = await import('node:https');
  return new Promise((resolve, reject) => {
    const req = https.request(url, { agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.setTimeout(5_000, () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

describe('the emulator on Microsoft host names', () => {
  it('serves the production URLs', () => {
    expect(emu.urls.authority).toBe(`https://login.microsoftonline.com/${emu.tenantId}/`);
    expect(emu.urls.graph).toBe('https://graph.microsoft.com/v1.0');
    expect(emu.urls.mySecurityInfo).toBe('https://mysignins.microsoft.com');
    expect(Object.keys(emu.hostMap).sort()).toEqual(Object.values(MICROSOFT_HOSTS).sort());
  });

  it('answers a mapped name only to a client that trusts the emulator CA; the name check still applies', async () => {
    const discovery = `${emu.urls.authority}v2.0/.well-known/openid-configuration`;
    expect(await get(discovery, { caPem: emu.caPem, hostMap: emu.hostMap })).toBe(200);
    // Mapped, but trusting the system store instead of the emulator's CA: refused by TLS.
    await expect(get(discovery, { hostMap: emu.hostMap })).rejects.toThrow(/certificate|self.signed|issuer/i);
    // The emulator's CA, but a name its certificate does not carry, mapped to the same port: refused by the name check.
    const login = emu.hostMap[MICROSOFT_HOSTS.login]!;
    await expect(get('https://login.example.org/', { caPem: emu.caPem, hostMap: { 'login.example.org': login } })).rejects.toThrow(
      /altnames|does not match|Hostname/i,
    );
  });

  it('maps exact names only, case- and trailing-dot-insensitive', () => {
    const t = { host: '127.0.0.1', port: 1 };
    expect(mappedTarget({ 'graph.microsoft.com': t }, 'GRAPH.microsoft.com.')).toBe(t);
    expect(mappedTarget({ 'graph.microsoft.com': t }, 'evil-graph.microsoft.com')).toBeUndefined();
    expect(mappedTarget({ 'graph.microsoft.com': t }, 'microsoft.com')).toBeUndefined();
    expect(mappedTarget({ 'graph.microsoft.com': t }, '__proto__')).toBeUndefined();
  });

  it('the real Graph client reads users from https://graph.microsoft.com', async () => {
    const client = createGraphClient({
      baseUrl: emu.urls.graph,
      caPem: emu.caPem,
      hostMap: emu.hostMap,
      getAccessToken: () => accessTokenFor(emu, ALEX),
      retry: { maxRetries: 0 },
    });
    const page = (await client.api('/users').select('id,userPrincipalName').top(2).get()) as { value: { userPrincipalName: string }[] };
    expect(page.value.length).toBeGreaterThan(0);
    const graphCalls = emu.requestLog().filter((r) => r.surface === 'graph' && r.path === '/v1.0/users');
    expect(graphCalls.length).toBeGreaterThan(0);
  });

  it('msal-node signs the operator in at https://login.microsoftonline.com and reads their roles from Graph', async () => {
    const password = emu.operators.find((o) => o.upn === ALEX)!.password;
    const presenter = chromiumPresenter(browser, (page) => submitSignIn(page, ALEX, password));
    const session = new OperatorSession({
      authority: emu.urls.authority,
      clientId: emu.clientId,
      graphBaseUrl: emu.urls.graph,
      caPem: emu.caPem,
      hostMap: emu.hostMap,
      roleClient: operatorRoleClient(emu.urls.graph, { caPem: emu.caPem, hostMap: emu.hostMap }),
      presenter,
      networkTimeoutMs: 10_000,
    });
    try {
      const who = await session.signIn();
      expect(who.userPrincipalName).toBe(ALEX);
      expect(who.rolesFrom).toBe('directory');
      expect(new URL(presenter.log.urls[0]!).origin).toBe('https://login.microsoftonline.com');
    } finally {
      await session.dispose();
    }
  }, 90_000);

  it('Chromium opens My Security Info at https://mysignins.microsoft.com with the emulator trusted: no session, so on to sign in', async () => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      const response = await page.goto(`${emu.urls.mySecurityInfo}/security-info`);
      expect(response?.ok()).toBe(true);
      // The request went to mysignins.microsoft.com over TLS the emulator's CA signs; with no session, My Security
      // Info sends the browser to Microsoft's sign-in host (test/emulator/mysignins/hops.ts).
      let first = response?.request();
      while (first?.redirectedFrom()) first = first.redirectedFrom()!;
      expect(first?.url()).toBe(`${emu.urls.mySecurityInfo}/security-info`);
      expect(new URL(page.url()).hostname).toBe('login.microsoftonline.com');
      expect(await page.title()).toBe('Sign in to your account');
      expect(await page.evaluate(() => (globalThis as { isSecureContext?: boolean }).isSecureContext)).toBe(true);
    } finally {
      await context.close();
    }
  }, 60_000);
});
