// The main window, the app protocol and the session lock-down, against a stand-in for Electron.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { APP_CSP } from '../../main/kiosk/navigation-policy';
import * as fake from './support/fake-electron';

vi.mock('electron', () => import('./support/fake-electron'));
const { createMainWindow } = await import('../../main/kiosk/main-window');
const { registerAppScheme } = await import('../../main/kiosk/app-protocol');

const rendererDir = mkdtempSync(join(tmpdir(), 'tap-kiosk-renderer-'));
mkdirSync(join(rendererDir, 'assets'));
writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>TAP Kiosk</title>');
writeFileSync(join(rendererDir, 'assets', 'app.js'), 'console.log(1)');
afterAll(() => rmSync(rendererDir, { recursive: true, force: true }));

const open = (options: Partial<Parameters<typeof createMainWindow>[0]> = {}) =>
  createMainWindow({ rendererDir, preloadPath: '/app/out/preload/index.js', kiosk: true, devTools: false, ...options }) as unknown as fake.BrowserWindow;

beforeEach(() => fake.resetFakes());

describe('the main window', () => {
  it('is hardened: isolated, sandboxed, no Node, web security, the preload, no DevTools in production, kiosk when asked', () => {
    const win = open();
    expect(win.options).toMatchObject({ kiosk: true, fullscreen: true });
    // The pass is shown in this window: no screen capture of it.
    expect(win.contentProtection).toBe(true);
    expect(win.options.webPreferences).toMatchObject({
      preload: '/app/out/preload/index.js',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      devTools: false,
    });
    expect(win.options.webPreferences?.['enableBlinkFeatures']).toBeUndefined();
    expect(win.webContents.loads).toEqual(['app://kiosk/index.html']);
    expect(open({ kiosk: false, devTools: true }).options).toMatchObject({ kiosk: false, webPreferences: { devTools: true } });
  });

  it('stays on its own pages: navigation away, new windows and webviews are refused', () => {
    const win = open();
    expect(win.webContents.attemptNavigation('app://kiosk/index.html#/today').defaultPrevented).toBe(false);
    expect(win.webContents.attemptNavigation('https://mysignins.microsoft.com/').defaultPrevented).toBe(true);
    expect(win.webContents.attemptNavigation('file:///etc/passwd', 'will-navigate').defaultPrevented).toBe(true);
    expect(win.webContents.windowOpenHandler?.({ url: 'app://kiosk/index.html' })).toEqual({ action: 'deny' });
    const attach = new fake.FakeEvent();
    win.webContents.emit('will-attach-webview', attach);
    expect(attach.defaultPrevented).toBe(true);
  });

  it('loads the dev server only when given one', () => {
    const win = open({ devServerUrl: 'http://localhost:5173' });
    expect(win.webContents.loads).toEqual(['http://localhost:5173']);
    expect(win.webContents.attemptNavigation('http://localhost:5173/x').defaultPrevented).toBe(false);
  });
});

describe('the app protocol', () => {
  it('registers app: as a standard, secure scheme', () => {
    registerAppScheme();
    expect(fake.privilegedSchemes).toContainEqual({ scheme: 'app', privileges: expect.objectContaining({ standard: true, secure: true }) });
  });

  it('serves the renderer with the CSP on every response, found or not', async () => {
    open();
    const handle = fake.session.defaultSession.protocolHandlers.get('app');
    if (!handle) throw new Error('app: not handled');
    const ok = await handle({ url: 'app://kiosk/assets/app.js', method: 'GET' });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(ok.headers.get('content-security-policy')).toBe(APP_CSP);
    expect(await ok.text()).toBe('console.log(1)');
    const traversal = await handle({ url: 'app://kiosk/%2e%2e/%2e%2e/etc/passwd', method: 'GET' });
    expect(traversal.status).toBe(404);
    expect(traversal.headers.get('content-security-policy')).toBe(APP_CSP);
    expect((await handle({ url: 'app://kiosk/index.html', method: 'POST' })).status).toBe(405);
  });
});

describe('every session', () => {
  it('denies permissions, device choosers and downloads, and has no spell-checker', () => {
    open();
    const ses = fake.session.defaultSession;
    let granted: boolean | undefined;
    ses.permissionRequest?.(null, 'media', (g) => (granted = g), { requestingUrl: 'app://kiosk/' });
    expect(granted).toBe(false);
    expect(ses.permissionCheck?.(null, 'notifications', 'app://kiosk')).toBe(false);
    expect(ses.devicePermission?.({})).toBe(false);
    expect(ses.spellChecker).toBe(false);
    let hidChoice: string | null | undefined = 'unset';
    const hidEvent = new fake.FakeEvent();
    ses.emit('select-hid-device', hidEvent, {}, (id: string | null) => (hidChoice = id));
    expect(hidEvent.defaultPrevented).toBe(true);
    expect(hidChoice).toBeNull();
    const download = new fake.FakeEvent();
    let cancelled = false;
    ses.emit('will-download', download, { cancel: () => (cancelled = true), getURL: () => 'https://x.example/file.exe' });
    expect(download.defaultPrevented).toBe(true);
    expect(cancelled).toBe(true);
  });
});
