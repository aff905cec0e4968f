// The web preferences every window and view of the kiosk shares, in one place so that a new surface cannot forget
// one (README, "Security checklist": isolation, sandbox, no Node, web security, no webview, no insecure content).
import type { WebPreferences } from 'electron';

/** For every page: isolated, sandboxed, no Node anywhere, web security on, no experimental or webview features. */
export const HARDENED_WEB_PREFERENCES = {
  contextIsolation: true,
  sandbox: true,
  nodeIntegration: false,
  nodeIntegrationInWorker: false,
  nodeIntegrationInSubFrames: false,
  webSecurity: true,
  allowRunningInsecureContent: false,
  experimentalFeatures: false,
  webviewTag: false,
  navigateOnDragDrop: false,
  spellcheck: false,
} as const satisfies WebPreferences;

/** For pages from elsewhere (Microsoft's sign-in, My Security Info): also no JavaScript dialogs and no DevTools. */
export const REMOTE_PAGE_PREFERENCES = { ...HARDENED_WEB_PREFERENCES, disableDialogs: true, devTools: false } as const satisfies WebPreferences;
