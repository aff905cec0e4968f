// The web harness: the built renderer in Chromium gets `window.kiosk`, which reaches the station's handler table
// over the loopback socket (token and Origin checked); states stream to the page; the operator's sign-in page
// opens as its own Chromium page.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import WebSocket from 'ws';
import type { KioskBridge, KioskReply, KioskState } from '../../common/contract';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { upn } from '../directory/support';
import { submitSignIn } from '../emulator/support/idp-browser';
import { describeOperators, headlessNotice } from './demo-notes';
import { registerSecurityKey, signInWithPass } from './desk-user';
import { startHarness, type Harness } from './server';
import { describeHits, leakRoots, scanForPasses } from '../leaks/scan';

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
const suiteStarted = Date.now();
afterAll(async () => {
  await context?.close();
  // Every pass the emulator issued (not only those on a hand-over screen), in no file written since the suite
  // started under the harness's folders, os.tmpdir() and the working directory, in any encoded form.
  const leaks = harness ? scanForPasses(harness.emulator.issuedPasses(), leakRoots([harness.dataRoot]), suiteStarted) : { hits: [] };
  await harness?.close();
  expect(leaks.hits, describeHits(leaks.hits)).toEqual([]);
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
    const refused: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' && /Content Security Policy|Refused/i.test(m.text())) refused.push(m.text());
    });
    const response = await page.goto(harness.url);
    const csp = response?.headers()['content-security-policy'] ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain(`connect-src 'self' ${harness.origin.replace('http', 'ws')}/__harness/ws`);
    expect(response?.headers()['referrer-policy']).toBe('no-referrer');
    await page.waitForFunction(() => typeof (globalThis as unknown as Partial<PageGlobal>).kiosk?.request === 'function');
    expect(await page.evaluate(() => Object.keys((globalThis as unknown as PageGlobal).kiosk).sort())).toEqual(['request', 'subscribe']);
    // The renderer started and drew something with the bridge; nothing was refused by the CSP.
    await page.waitForFunction(
      () =>
        ((globalThis as unknown as { document: { querySelector(s: string): { childElementCount: number } | null } }).document.querySelector('#root')
          ?.childElementCount ?? 0) > 0,
    );
    expect(refused).toEqual([]);
  });

  it('the demo lists each operator with roles and what they show; headless, the page says which parts the demo plays', async () => {
    const text = describeOperators(harness.emulator.operators);
    for (const op of harness.emulator.operators) expect(text).toContain(op.upn);
    expect(text).toMatch(/Patti Fernandez: Privileged Authentication Administrator\n\s+shows: the whole flow for anyone/);
    expect(text).toMatch(/Alex Wilber: Authentication Administrator\n\s+shows: passes for members only: an administrator \(Adele Vance\) is blocked/);
    expect(text).toMatch(/Nestor Wilke: no directory role\n\s+shows: no role that may issue a pass/);
    expect(text).toMatch(/Lidia Holloway: Authentication Policy Administrator\n\s+shows: reads the policies but may not issue/);
    // Through the group "Kiosk Operators".
    expect(text).toMatch(/Henrietta Mueller: Authentication Administrator/);

    const patti = harness.emulator.operators.find((o) => o.upn.startsWith('patti.fernandez@'))!;
    harness.setNotice(headlessNotice(patti));
    try {
      await page.goto(harness.url);
      const note = page.getByRole('complementary', { name: 'Demo' });
      await note.waitFor();
      const shown = await note.innerText();
      expect(shown).toContain(`signs in as Patti Fernandez (${patti.upn})`);
      expect(shown).toContain('the person at the desk: after "Handed over"');
      expect(shown).toContain('without --headless');
      // Outside the renderer's root: the kiosk itself is unchanged.
      expect(await page.locator('#root aside[aria-label="Demo"]').count()).toBe(0);
    } finally {
      harness.setNotice(null);
    }
    await page.goto(harness.url);
    await page.waitForFunction(() => typeof (globalThis as unknown as Partial<PageGlobal>).kiosk?.request === 'function');
    expect(await page.getByRole('complementary', { name: 'Demo' }).count()).toBe(0);
  });

  it('answers a state query from the station, refuses a bad request', async () => {
    const reply = await request({ kind: 'query', query: { type: 'state' } });
    expect(reply).toMatchObject({
      ok: true,
      kind: 'state',
      state: { station: { stationId: 'KIOSK-WEB-01', demo: false, config: { ok: true } }, session: { screen: 'signed-out' } },
    });
    expect(await request({ kind: 'command', command: { type: 'explode' } })).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
    expect(await request('state')).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
    // Signed out: the journal's queries are refused (names, operators and ID documents are for an operator at work).
    for (const type of ['today', 'exportCsv'] as const) {
      expect(await request({ kind: 'query', query: { type } })).toMatchObject({ ok: false, error: { code: 'operator-required' } });
    }
  });

  it('refuses a socket without the token, with a wrong token, or from another Origin', async () => {
    const ws = `${harness.origin.replace('http', 'ws')}/__harness/ws`;
    expect(await tryConnect(`${ws}?token=${harness.token}`, harness.origin)).toBe('open');
    expect(await tryConnect(ws, harness.origin)).toBe(403);
    // One character changed (never the same one: a token may already end in the replacement).
    const last = harness.token.slice(-1);
    expect(await tryConnect(`${ws}?token=${harness.token.slice(0, -1)}${last === 'x' ? 'y' : 'x'}`, harness.origin)).toBe(403);
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

  it('a whole enrollment through the socket: the pass only on the handover state, key registered in the My Security Info page, TAP deleted, context closed', async () => {
    const done = await wholeEnrollment(harness);
    expect(done.registered).toMatchObject({ stationKey: false }); // the default desk key is a YubiKey, not Chromium's
    // The production configuration, on Microsoft's host names, and its navigation policies let every hop through.
    const config = harness.station().config;
    expect({ demo: config.demo, authority: config.authority, graph: config.graphBaseUrl, msi: config.mySecurityInfoUrl }).toEqual({
      demo: false,
      authority: `https://login.microsoftonline.com/${harness.emulator.tenantId}`,
      graph: 'https://graph.microsoft.com/v1.0',
      msi: 'https://mysignins.microsoft.com/security-info',
    });
    expect(harness.deniedNavigations()).toEqual([]);
    // Locked: the same questions that were answered a moment ago are refused.
    await expect.poll(() => harness.state().session?.screen, { timeout: 15_000 }).toBe('ready');
    expect(await request({ kind: 'command', command: { type: 'lock' } })).toEqual({ ok: true, kind: 'command' });
    await expect.poll(() => harness.state().session?.screen, { timeout: 15_000 }).toBe('locked');
    for (const type of ['today', 'exportCsv'] as const) {
      expect(await request({ kind: 'query', query: { type } })).toMatchObject({ ok: false, error: { code: 'operator-required' } });
    }
  });

  it('with the desk key reporting the virtual authenticator AAGUID, the registered key is the station key', async () => {
    const second = await startHarness({ emulator: harness.emulator, deskKeyIsVirtualAuthenticator: true });
    try {
      const done = await wholeEnrollment(second);
      expect(done.registered).toMatchObject({ stationKey: true, aaguid: '01020304-0506-0708-0102-030405060708' });
    } finally {
      await second.close();
    }
  });
});

/** One whole enrollment through the page's socket on a freshly reset harness; returns the done state. */
async function wholeEnrollment(h: Harness) {
  await h.reset();
  await page.goto(h.url);
  await page.waitForFunction(() => typeof (globalThis as unknown as Partial<PageGlobal>).kiosk?.request === 'function');
  const states: KioskState[] = [];
  const off = h.station().handlers.subscribe((s) => states.push(s));
  const until = async (screen: string) => {
    await expect.poll(() => h.state().session?.screen, { timeout: 30_000 }).toBeOneOf([screen, 'failed']);
    const now = h.state().session!;
    if (now.screen === 'failed' && screen !== 'failed') throw new Error(`failed: ${JSON.stringify(now.error)}`);
    return h.state().session!;
  };
  const send = async (command: unknown) => expect(await request({ kind: 'command', command })).toEqual({ ok: true, kind: 'command' });
  const operator = h.emulator.operators.find((o) => o.upn === upn('patti.fernandez'))!;
  const signInPage = h.waitForPage('sign-in');
  await send({ type: 'signIn' });
  await submitSignIn(await signInPage, operator.upn, operator.password);
  await until('ready');
  const adele = upn('adele.vance');
  await send({ type: 'search', query: adele });
  // A UPN is one hit: the person opens at once.
  const card = await until('identity');
  if (card.screen !== 'identity') throw new Error('no identity card');
  expect(card.user.userPrincipalName).toBe(adele);
  await send({ type: 'confirmIdentity', document: 'passport' });
  const preflight = await until('preflight');
  if (preflight.screen !== 'preflight') throw new Error('no preflight');
  expect(preflight.verdict).toBe('go');
  const msi = h.waitForPage('security-info');
  msi.catch(() => undefined);
  await send({ type: 'issue' });
  const handover = await until('handover');
  if (handover.screen !== 'handover') throw new Error('no handover');
  const pass = handover.pass;
  await send({ type: 'handedOver' });

  const view = await msi;
  await signInWithPass(view, adele, pass);
  await until('registering');
  await registerSecurityKey(view);

  const done = await until('done');
  if (done.screen !== 'done') throw new Error('not done');
  expect(done.cleanup).toEqual({ tap: 'deleted', viewWiped: true });
  expect(h.securityInfoPage()).toBeNull();
  expect(view.isClosed()).toBe(true);
  expect([...h.emulator.ctx.state.taps.values()].filter((t) => t.userId === card.user.id)).toEqual([]);
  off();

  // The pass: on the handover states and in the person's panel until My Security Info is past its pass prompt;
  // never after, in no reply, no file.
  const withPass = states.filter((s) => JSON.stringify(s).includes(pass));
  expect(withPass.length).toBeGreaterThan(0);
  const holders = withPass.map((s) => (s.session?.screen === 'waiting-for-sign-in' ? `waiting:${s.session.passPromptPassed}` : s.session?.screen));
  expect(holders).toContain('handover');
  expect(holders.filter((h) => h !== 'handover' && h !== 'waiting:false')).toEqual([]);
  const today = await request({ kind: 'query', query: { type: 'today' } });
  expect(today).toMatchObject({ ok: true, rows: [expect.objectContaining({ user: adele, key_model: expect.any(String) })] });
  const csv = await request({ kind: 'query', query: { type: 'exportCsv' } });
  for (const reply of [today, csv]) expect(JSON.stringify(reply)).not.toContain(pass);
  const files = (dir: string): string[] => readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? files(join(dir, n)) : [join(dir, n)]));
  expect(files(h.dataRoot).length).toBeGreaterThan(0);
  for (const f of files(h.dataRoot)) expect(readFileSync(f, 'latin1').includes(pass)).toBe(false);
  return done;
}
