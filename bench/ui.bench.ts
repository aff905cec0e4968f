/**
 * The kiosk's UI: operator actions from "person arrives" to "pass handed over", the renderer's JavaScript
 * size (gzip), and its time to interactive in Chromium on this machine.
 *
 * - Actions: the web harness (station + emulator + software key), the built renderer in Chromium, driven the way
 *   test/e2e/kiosk.spec.ts's happy path drives it: type the name, Enter (one hit opens the person; several would
 *   add ArrowDown, Enter); choose the ID document seen (that confirms the check); "Issue pass" (the pass is then on
 *   screen). Each click and Enter/arrow press counts; typing the name (or the badge scan) is the person arriving.
 * - Size: out/renderer/assets/*.js, each gzipped with zlib (level 9), summed (built first if missing).
 * - Time to interactive: 5 cold loads (a fresh browser context each: no cache, no storage) of the harness page;
 *   from navigation start (performance.now() = 0) until the first screen's "Sign in" button is rendered and
 *   enabled, sampled on every animation frame. Median.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import { ensureRendererBuilt, DEFAULT_RENDERER_DIR } from '../test/harness/renderer-files';
import { startHarness, type Harness } from '../test/harness/server';
import { submitSignIn } from '../test/emulator/support/idp-browser';
import { median, type BenchResult } from './bench';

export const title = 'ui';

const ACTIONS_TARGET = 3;
const TTI_TARGET_MS = 1000;
const COLD_LOADS = 5;

function rendererJsGzip(): { bytes: number; raw: number; files: number } {
  const assets = join(DEFAULT_RENDERER_DIR, 'assets');
  const js = readdirSync(assets).filter((f) => f.endsWith('.js'));
  let bytes = 0;
  let raw = 0;
  for (const f of js) {
    const body = readFileSync(join(assets, f));
    raw += body.length;
    bytes += gzipSync(body, { level: 9 }).length;
  }
  return { bytes, raw, files: js.length };
}

/** Waits for `screen` (or stops early on one of `alsoStopAt`). */
async function until(h: Harness, screen: string, timeoutMs = 30_000, alsoStopAt: readonly string[] = []): Promise<void> {
  const t0 = Date.now();
  for (;;) {
    const now = h.state().session?.screen;
    if (now === screen || (now !== undefined && alsoStopAt.includes(now))) return;
    if (now === 'failed') throw new Error(`the enrollment failed on the way to ${screen}`);
    if (Date.now() - t0 > timeoutMs) throw new Error(`no ${screen} within ${timeoutMs} ms (on ${String(now)})`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** ms from navigation start until the signed-out screen's Sign in button is there and enabled. */
async function coldLoad(h: Harness): Promise<number> {
  const context = await h.browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(h.url, { waitUntil: 'commit' });
    // A function, not a string: a string predicate is evaluated with eval, which the page's CSP refuses.
    // (This tsconfig has no DOM library: the page's globals are reached through globalThis.)
    const handle = await page.waitForFunction(
      () => {
        type El = { textContent: string | null; disabled?: boolean; getClientRects(): { length: number } };
        const g = globalThis as unknown as { document: { querySelectorAll(s: string): Iterable<El> }; performance: { now(): number } };
        const b = [...g.document.querySelectorAll('#root button')].find((x) => x.textContent?.trim() === 'Sign in');
        return b && !b.disabled && b.getClientRects().length > 0 ? g.performance.now() : false;
      },
      undefined,
      { polling: 'raf', timeout: 15_000 },
    );
    return (await handle.jsonValue()) as number;
  } finally {
    await context.close();
  }
}

async function operatorActions(h: Harness): Promise<{ count: number; log: string[] }> {
  const context = await h.browser.newContext();
  const page: Page = await context.newPage();
  try {
    await page.goto(h.url);
    const op = h.emulator.operators.find((o) => o.upn.startsWith('patti.fernandez@')) ?? h.emulator.operators[0]!;
    const signInPage = h.waitForPage('sign-in');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await submitSignIn(await signInPage, op.upn, op.password);
    await until(h, 'ready');
    await page.getByLabel('Name, user name (UPN), employee ID or badge').waitFor();

    // The person arrives.
    const log: string[] = [];
    await page.keyboard.type('adele');
    await page.keyboard.press('Enter');
    log.push('Enter (search)');
    // One hit: the person opens at once. (Several would add ArrowDown + Enter; counted if they happen.)
    await until(h, 'identity', 30_000, ['search-results']);
    if (h.state().session?.screen === 'search-results') {
      await page.locator('button.result').first().waitFor();
      await page.keyboard.press('ArrowDown');
      log.push('ArrowDown');
      await page.keyboard.press('Enter');
      log.push('Enter (open)');
      await until(h, 'identity');
    }
    await page.getByRole('button', { name: 'Passport', exact: true }).click();
    log.push('Passport (the ID seen: confirms the check)');
    await until(h, 'preflight');
    await page.getByText('Ready to issue.').waitFor();
    await page.getByRole('button', { name: 'Issue pass' }).click();
    log.push('Issue pass');
    await until(h, 'handover');
    // The pass is on screen and read to the person: handed over. ("Handed over" then moves the kiosk on; it is
    // not counted, as the issue's target counts search, ID check, issue.)
    await page.getByRole('button', { name: 'Handed over' }).click();
    await until(h, 'waiting-for-sign-in');
    return { count: log.length, log };
  } finally {
    await context.close();
  }
}

export async function run(): Promise<BenchResult[]> {
  await ensureRendererBuilt(DEFAULT_RENDERER_DIR, 'if-missing');
  const size = rendererJsGzip();
  const h = await startHarness({ rebuild: 'if-missing' });
  try {
    await coldLoad(h); // Chromium's own first start (process, fonts) is not the renderer's
    const loads: number[] = [];
    for (let i = 0; i < COLD_LOADS; i++) loads.push(await coldLoad(h));
    const actions = await operatorActions(h);
    return [
      {
        name: 'operator actions, person arrives → pass handed over',
        value: actions.count,
        unit: 'count',
        target: { max: ACTIONS_TARGET + 1 }, // at most 3 (the table shows "< 4")
        detail: actions.log.join(', '),
      },
      {
        name: 'renderer JavaScript, gzip',
        value: size.bytes / 1024,
        unit: 'KiB',
        detail: `${size.files} file(s), ${(size.raw / 1024).toFixed(0)} KiB before gzip`,
      },
      {
        name: 'renderer time to interactive (Chromium, cold), median',
        value: median(loads),
        unit: 'ms',
        target: { max: TTI_TARGET_MS },
        detail: `${COLD_LOADS} cold loads: ${loads.map((l) => l.toFixed(0)).join(', ')} ms`,
      },
    ];
  } finally {
    await h.close();
  }
}
