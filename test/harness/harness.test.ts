// The web harness: the built renderer in Chromium gets `window.kiosk`, which reaches the station's handler table
// over the loopback socket (token and Origin checked); states stream to the page; the operator's sign-in page
// opens as its own Chromium page.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import WebSocket from 'ws';
import type { KioskBridge, KioskReply, KioskState } from '../../preload/contract';
import { submitSignIn } from '../emulator/support/idp-browser';
import { startHarness, type Harness } from './server';

/** The page's global, as the shim sets it (this file is type-checked without the DOM library). */
type PageGlobal = { kiosk: KioskBridge; seen: KioskState[] };

let harness: Harness;
let context: BrowserContext;
let page: Page;

beforeAll(async () => {
  harness = await startHarness();
  context = await harness.browser.newContext();
  page = await context.newPage();
}, 120_000);
afterAll(async () => {
  await context?.close();
  await harness?.close();
});

const request = (req: unknown) => page.evaluate((r) => (globalThis as unknown as PageGlobal).kiosk.request(r as never), req) as Promise<KioskReply>;

/** Opens a socket as a client would; resolves 'open' or the HTTP status it was refused with. */
function tryConnect(url: string, origin: string | undefined): Promise<'open' | number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, origin ? { origin } : {});
    ws.on('open', () => {
      ws.close();
      resolve('open');
    });
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.on('error', () => resolve(-1));
  });
}

describe('web harness', { timeout: 120_000 }, () => {
  it('serves the renderer with the app CSP widened to its own socket only, and window.kiosk exists', async () => {
    const response = await page.goto(harness.url);
    const csp = response?.headers()['content-security-policy'] ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain(`connect-src 'self' ${harness.origin.replace('http', 'ws')}/__harness/ws`);
    expect(response?.headers()['referrer-policy']).toBe('no-referrer');
    await page.waitForFunction(() => typeof (globalThis as unknown as Partial<PageGlobal>).kiosk?.request === 'function');
    expect(await page.evaluate(() => Object.keys((globalThis as unknown as PageGlobal).kiosk).sort())).toEqual(['request', 'subscribe']);
  });

  it('answers a state query from the station, refuses a bad request', async () => {
    const reply = await request({ kind: 'query', query: { type: 'state' } });
    expect(reply).toMatchObject({ ok: true, kind: 'state', state: { station: { stationId: 'KIOSK-WEB-01', demo: true, config: { ok: true } }, session: { screen: 'signed-out' } } });
    expect(await request({ kind: 'command', command: { type: 'explode' } })).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
    expect(await request('state')).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
    const today = await request({ kind: 'query', query: { type: 'today' } });
    expect(today).toMatchObject({ ok: true, kind: 'today', rows: [] });
  });

  it('refuses a socket without the token, with a wrong token, or from another Origin', async () => {
    const ws = `${harness.origin.replace('http', 'ws')}/__harness/ws`;
    expect(await tryConnect(`${ws}?token=${harness.token}`, harness.origin)).toBe('open');
    expect(await tryConnect(ws, harness.origin)).toBe(403);
    expect(await tryConnect(`${ws}?token=${harness.token.slice(0, -1)}x`, harness.origin)).toBe(403);
    expect(await tryConnect(`${ws}?token=${harness.token}`, 'http://evil.example')).toBe(403);
    expect(await tryConnect(`${ws}?token=${harness.token}`, undefined)).toBe(403);
    expect(await tryConnect(`${harness.origin.replace('http', 'ws')}/elsewhere?token=${harness.token}`, harness.origin)).toBe(404);
  });

  it('a page from another origin cannot use the socket even with the token', async () => {
    const other = await context.newPage();
    await other.goto('about:blank');
    const url = `${harness.origin.replace('http', 'ws')}/__harness/ws?token=${harness.token}`;
    // A string, so the bundler does not rewrite the page's own WebSocket into the imported one.
    const outcome = await other.evaluate(
      `new Promise((resolve) => { const ws = new WebSocket(${JSON.stringify(url)}); ws.onopen = () => resolve('open'); ws.onerror = () => resolve('refused'); })`,
    );
    expect(outcome).toBe('refused');
    await other.close();
  });

  it('subscribe delivers the current state, then every change: key unplugged, operator signed in through the sign-in page', async () => {
    await page.evaluate(() => {
      const w = globalThis as unknown as PageGlobal;
      w.seen = [];
      w.kiosk.subscribe((s) => w.seen.push(s));
    });
    const seen = () => page.evaluate(() => (globalThis as unknown as PageGlobal).seen);
    await expect.poll(async () => (await seen()).length).toBeGreaterThan(0);
    expect((await seen())[0]?.session?.screen).toBe('signed-out');

    await expect.poll(async () => (await seen()).at(-1)?.session?.key.presence, { timeout: 15_000 }).toBe('one');
    harness.unplugKey();
    await expect.poll(async () => (await seen()).at(-1)?.session?.key.presence, { timeout: 15_000 }).toBe('none');
    harness.plugKey();
    await expect.poll(async () => (await seen()).at(-1)?.session?.key.presence, { timeout: 15_000 }).toBe('one');

    const operator = harness.emulator.operators[0]!;
    const signInPage = harness.waitForPage('sign-in');
    expect(await request({ kind: 'command', command: { type: 'signIn' } })).toEqual({ ok: true, kind: 'command' });
    await submitSignIn(await signInPage, operator.upn, operator.password);
    await expect.poll(async () => (await seen()).at(-1)?.session?.screen, { timeout: 30_000 }).toBe('ready');
    const last = (await seen()).at(-1)!;
    expect(last.session?.operator?.upn).toBe(operator.upn);
    expect(last.station.tenant.status).toBe('reachable');
    expect(last.station.keyReader.status).toBe('ok');
  });

  it('reset: a fresh station, signed out; the page keeps its connection and sees the new state', async () => {
    await harness.reset();
    await expect.poll(async () => (await request({ kind: 'query', query: { type: 'state' } })).ok && harness.state().session?.screen).toBe('signed-out');
    const reply = await request({ kind: 'query', query: { type: 'state' } });
    expect(reply).toMatchObject({ ok: true, state: { session: { screen: 'signed-out', operator: null } } });
  });
});
