// The real Electron app starts: its window, the renderer on app://kiosk/, the preload bridge and nothing of Node in
// the page. Runs wherever the Electron binary is installed; here its download is blocked
// (ELECTRON_SKIP_BINARY_DOWNLOAD), so it prints one line and is counted as skipped.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { _electron as electron, expect, test, type ElectronApplication } from '@playwright/test';

const SKIP_LINE = 'Electron end-to-end suite skipped: the Electron binary is not installed (ELECTRON_SKIP_BINARY_DOWNLOAD)';
const root = process.cwd();

/**
 * The Electron binary the `electron` package would run, if it is there. Read from the package's own files
 * (path.txt names the executable inside dist/), not by requiring the package: its index.js starts a download when
 * the binary is missing, which here only fails noisily before the skip line.
 */
function electronBinary(): string | null {
  let dir: string;
  try {
    dir = dirname(createRequire(import.meta.url).resolve('electron/package.json'));
  } catch {
    return null; // the package is not installed at all
  }
  const pathFile = join(dir, 'path.txt');
  if (!existsSync(pathFile)) return null; // the install script did not run or skipped the download
  const executable = readFileSync(pathFile, 'utf8').trim();
  const dist = process.env['ELECTRON_OVERRIDE_DIST_PATH'] ?? join(dir, 'dist');
  const full = join(dist, executable);
  return executable !== '' && existsSync(full) ? full : null;
}

const binary = electronBinary();
if (!binary) console.log(SKIP_LINE);

test.describe('the Electron app', () => {
  test.skip(!binary, SKIP_LINE);

  let app: ElectronApplication;
  let scratch: string;

  test.beforeAll(async () => {
    if (!existsSync(join(root, 'out', 'main', 'index.js'))) execFileSync('npx', ['electron-vite', 'build'], { cwd: root, stdio: 'inherit' });
    scratch = mkdtempSync(join(tmpdir(), 'tap-kiosk-electron-e2e-'));
    app = await electron.launch({
      executablePath: binary ?? undefined,
      // The app folder (package.json `main` → out/main/index.js), so app.getAppPath() is the source tree demo mode needs.
      args: [root, '--demo'],
      cwd: root,
      // No machine-wide configuration may leak in: demo mode fills the tenant from the emulator.
      env: { ...process.env, TAP_KIOSK_CONFIG: join(scratch, 'absent-config.json') },
    });
  });

  test.afterAll(async () => {
    await app?.close();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  test('starts with its window, the renderer from app://kiosk/ and only the kiosk bridge in the page', async () => {
    const page = await app.firstWindow();
    await expect(page).toHaveTitle('TAP Kiosk');
    expect(page.url()).toMatch(/^app:\/\/kiosk\//);
    await expect(page.locator('#root > *').first()).toBeAttached();
    const globals = await page.evaluate(() => {
      const w = globalThis as unknown as Record<string, unknown>; // the page's window (no DOM lib in this tsconfig)
      const kiosk = w['kiosk'] as Record<string, unknown> | undefined;
      return {
        kiosk: typeof kiosk,
        kioskKeys: kiosk ? Object.keys(kiosk).sort() : [],
        require: typeof w['require'],
        process: typeof w['process'],
        module: typeof w['module'],
      };
    });
    expect(globals).toEqual({ kiosk: 'object', kioskKeys: ['request', 'subscribe'], require: 'undefined', process: 'undefined', module: 'undefined' });
  });

  test('the app page cannot navigate away from app://kiosk/: main prevents it', async () => {
    const page = await app.firstWindow();
    // Record, in main, what the navigation guard decided (our listener was installed first, so it already ran).
    await app.evaluate(({ BrowserWindow }) => {
      const g = globalThis as unknown as { navigations: { url: string; prevented: boolean }[] };
      g.navigations = [];
      BrowserWindow.getAllWindows()[0]?.webContents.on('will-frame-navigate', (event) => {
        g.navigations.push({ url: event.url, prevented: event.defaultPrevented });
      });
    });
    await page.evaluate(() => {
      (globalThis as unknown as { location: { href: string } }).location.href = 'https://example.com/';
    });
    await expect
      .poll(() => app.evaluate(() => (globalThis as unknown as { navigations: unknown[] }).navigations))
      .toEqual([{ url: 'https://example.com/', prevented: true }]);
    expect(page.url()).toMatch(/^app:\/\/kiosk\//);
  });
});
