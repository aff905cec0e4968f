/**
 * The app's own pages, served from the built renderer through `app://kiosk/` instead of `file://` (Electron
 * security checklist: prefer a custom protocol; `file:` pages could read any file the process can). Every
 * response carries the strict CSP (navigation-policy.ts `APP_CSP`); path traversal is refused by
 * app-files.ts (tested without Electron).
 */
import { readFile } from 'node:fs/promises';
import { protocol, type Session } from 'electron';
import { resolveAppFile } from './app-files';
import { APP_CSP, APP_SCHEME } from './navigation-policy';

/** Must run before `app.whenReady()`: a standard, secure scheme (so `'self'`, fetch and storage behave). */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true } }]);
}

const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': APP_CSP,
  'X-Content-Type-Options': 'nosniff',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
};

/** Serves `rendererDir` on the app scheme in `ses` (the main window's session). */
export function serveApp(ses: Session, rendererDir: string): void {
  ses.protocol.handle(APP_SCHEME, async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return new Response('method not allowed', { status: 405, headers: SECURITY_HEADERS });
    }
    const file = await resolveAppFile(rendererDir, request.url);
    if (file.kind === 'refused') return new Response('not found', { status: file.status, headers: SECURITY_HEADERS });
    const body = request.method === 'HEAD' ? null : await readFile(file.path);
    return new Response(body, { status: 200, headers: { ...SECURITY_HEADERS, 'Content-Type': file.contentType } });
  });
}
