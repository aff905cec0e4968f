/**
 * The station's one window: the renderer (the app's own pages on `app://kiosk/`) with the preload bridge.
 * Hardened per Electron's security checklist (see README, "Security checklist"): context isolation, sandbox,
 * no Node integration, web security on, no insecure content, no experimental or Blink features, no
 * `<webview>`, navigation limited to the app's pages, new windows denied, DevTools only in demo/dev.
 */
import { join } from 'node:path';
import { BrowserWindow, session } from 'electron';
import { guardWebContents, lockDownSession } from './guard';
import { APP_ORIGIN, appPagesPolicy } from './navigation-policy';
import { HARDENED_WEB_PREFERENCES } from './web-preferences';
import { serveApp } from './app-protocol';

export interface MainWindowOptions {
  /** Folder of the built renderer (out/renderer). */
  rendererDir: string;
  /** The built preload (out/preload/index.js). */
  preloadPath: string;
  /** Full-screen kiosk mode: no window frame, no task switching by the window itself. */
  kiosk: boolean;
  /** DevTools: only in demo mode or an unpackaged development run. */
  devTools: boolean;
  /** Development only: electron-vite's dev server (ELECTRON_RENDERER_URL); ignored when undefined. */
  devServerUrl?: string;
  onDenied?: (url: string, reason: string) => void;
}

export function createMainWindow(options: MainWindowOptions): BrowserWindow {
  const ses = session.defaultSession;
  lockDownSession(ses, { onDenied: options.onDenied });
  serveApp(ses, options.rendererDir);

  const win = new BrowserWindow({
    width: 1280,
    height: 800,
    show: false,
    title: 'TAP Kiosk',
    kiosk: options.kiosk,
    fullscreen: options.kiosk,
    autoHideMenuBar: true,
    backgroundColor: '#ffffff',
    webPreferences: { ...HARDENED_WEB_PREFERENCES, preload: options.preloadPath, devTools: options.devTools, session: ses },
  });
  if (options.kiosk) win.setMenu(null);
  // The pass is shown here: screen capture and recording get a black window (Windows, macOS).
  win.setContentProtection(true);
  guardWebContents(win.webContents, appPagesPolicy({ devServerUrl: options.devServerUrl }), { onDenied: options.onDenied });
  win.once('ready-to-show', () => win.show());
  void win.loadURL(options.devServerUrl ?? `${APP_ORIGIN}/index.html`);
  return win;
}

/** Where electron-vite puts the preload and the renderer, relative to out/main/index.js. */
export function builtPaths(mainDir: string): { rendererDir: string; preloadPath: string } {
  return { rendererDir: join(mainDir, '../renderer'), preloadPath: join(mainDir, '../preload/index.js') };
}
