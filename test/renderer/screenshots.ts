/**
 * Screenshots of every screen, English and German, from the BUILT renderer (out/renderer) served with the app's
 * real CSP (APP_CSP) by a tiny static server, with the dev fixtures injected as `window.kiosk` (the fake itself
 * is not in the build). Also runs axe on each screen and reports serious/critical violations and CSP errors.
 *
 *   npx electron-vite build && npx tsx test/renderer/screenshots.ts [screen ...]
 *
 * Writes artifacts/renderer/<screen>.<lang>.png (gitignored). Exits non-zero on a CSP violation, a page error
 * or a serious/critical axe violation.
 */
import { AxeBuilder } from '@axe-core/playwright';
import { mkdirSync, readFileSync, existsSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { APP_CSP } from '../../main/kiosk/navigation-policy';
import { fixtures, TODAY_ROWS } from '../../renderer/src/dev/fake-kiosk';
import { launchChromium } from '../support/chromium';

const ROOT = 'out/renderer';
const OUT = 'artifacts/renderer';
const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.png': 'image/png' };

function serve(): Promise<{ url: string; close: () => void }> {
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
    const file = join(ROOT, path === '/' ? 'index.html' : path);
    if (!file.startsWith(ROOT) || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'content-security-policy': APP_CSP });
    res.end(readFileSync(file));
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const a = server.address();
      resolve({ url: `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}/`, close: () => server.close() });
    }),
  );
}

/** The init script: a KioskBridge over one canned state (commands are acknowledged and change nothing). */
function shim(state: unknown): string {
  return `(() => {
    const state = ${JSON.stringify(state)};
    const rows = ${JSON.stringify(TODAY_ROWS)};
    window.kiosk = {
      async request(req) {
        if (req.kind === 'query' && req.query.type === 'today') return { ok: true, kind: 'today', day: '2026-11-23', rows };
        if (req.kind === 'query' && req.query.type === 'exportCsv') return { ok: true, kind: 'exportCsv', day: '2026-11-23', fileName: 'today.csv', csv: 'enrollment\\r\\nenr-7f3a\\r\\n' };
        if (req.kind === 'query') return { ok: true, kind: 'state', state };
        return { ok: true, kind: 'command' };
      },
      subscribe(listener) { listener(state); return () => {}; },
    };
  })();`;
}

async function main() {
  if (!existsSync(join(ROOT, 'index.html'))) throw new Error('Build first: npx electron-vite build');
  mkdirSync(OUT, { recursive: true });
  const only = process.argv.slice(2);
  const all = fixtures();
  const shots: { name: string; fixture: string; click?: string }[] = [
    ...Object.keys(all).map((name) => ({ name, fixture: name })),
    { name: 'station-ok', fixture: 'ready', click: 'station' },
    { name: 'today', fixture: 'ready', click: 'today' },
  ].filter((s) => only.length === 0 || only.includes(s.name));
  const server = await serve();
  const browser = await launchChromium();
  const problems: string[] = [];
  try {
    for (const lang of ['en', 'de'] as const) {
      for (const shot of shots) {
        const fresh = fixtures()[shot.fixture];
        if (!fresh) continue;
        const state = { ...fresh, station: { ...fresh.station, language: lang } };
        const context = await browser.newContext({
          viewport: { width: 1280, height: 800 },
          locale: lang === 'de' ? 'de-DE' : 'en-GB',
          reducedMotion: 'reduce',
        });
        const page = await context.newPage();
        page.on('console', (m) => {
          if (m.type() === 'error' || /Content Security Policy/i.test(m.text())) problems.push(`${shot.name}.${lang}: console ${m.type()}: ${m.text()}`);
        });
        page.on('pageerror', (e) => problems.push(`${shot.name}.${lang}: page error: ${e.message}`));
        await page.addInitScript(shim(state));
        await page.goto(server.url);
        await page.locator('h1').first().waitFor();
        if (shot.click === 'station') await page.getByRole('button', { name: lang === 'de' ? 'Stationsstatus' : 'Station status' }).click();
        if (shot.click === 'today') {
          await page.getByRole('button', { name: lang === 'de' ? 'Heute' : 'Today', exact: true }).click();
          await page.locator('table').waitFor();
        }
        await page.waitForTimeout(400);
        await page.screenshot({ path: join(OUT, `${shot.name}.${lang}.png`), fullPage: true });
        const axe = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']).analyze();
        for (const v of axe.violations) {
          const line = `${shot.name}.${lang}: axe ${v.impact} ${v.id}: ${v.nodes
            .map((n) => n.target.join(' '))
            .slice(0, 3)
            .join(' | ')}`;
          if (v.impact === 'serious' || v.impact === 'critical') problems.push(line);
          else console.log(line);
        }
        await context.close();
      }
    }
  } finally {
    await browser.close();
    server.close();
  }
  console.log(`${shots.length * 2} screenshots in ${OUT}`);
  for (const p of problems) console.log(p);
  if (problems.length > 0) process.exitCode = 1;
}

await main();
