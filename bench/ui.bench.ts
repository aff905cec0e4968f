/**
 * The kiosk's UI: the renderer's JavaScript size (gzip), and its time to interactive in Chromium on this machine.
 * (The operator's and the person's actions at the desk are desk.bench.ts and provision.bench.ts.)
 *
 * - Size: out/renderer/assets/*.js, each gzipped with zlib (level 9), summed (built first if missing).
 * - Time to interactive: 5 cold loads (a fresh browser context each: no cache, no storage) of the harness page;
 *   from navigation start (performance.now() = 0) until the first screen's "Sign in" button is rendered and
 *   enabled, sampled on every animation frame. Median.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { ensureRendererBuilt, DEFAULT_RENDERER_DIR } from '../test/harness/renderer-files';
import { startHarness, type Harness } from '../test/harness/server';
import { median, type BenchResult } from './bench';

export const title = 'ui';

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

export async function run(): Promise<BenchResult[]> {
  await ensureRendererBuilt(DEFAULT_RENDERER_DIR, 'if-missing');
  const size = rendererJsGzip();
  const h = await startHarness({ rebuild: 'if-missing' });
  try {
    await coldLoad(h); // Chromium's own first start (process, fonts) is not the renderer's
    const loads: number[] = [];
    for (let i = 0; i < COLD_LOADS; i++) loads.push(await coldLoad(h));
    return [
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
