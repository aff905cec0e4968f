/**
 * The operator's sign-in page: the `SignInPresenter` of main/operator/presenter.ts, as a modal child window.
 *
 * - Its own fresh in-memory partition per sign-in (`signin-<uuid>`), no preload, sandboxed, DevTools off.
 * - It may load only the configured authority's origin, the Microsoft sign-in hosts of its cloud (the passkey and
 *   certificate hops) and the configured federation hosts (navigation-policy.ts `operatorSignInPolicy`).
 * - The redirect URI is never loaded: the first navigation, redirect or request to it (guard events and
 *   `webRequest.onBeforeRequest`, whichever sees it first) is cancelled, the window closes, and the promise
 *   resolves with that URL (it carries the one-time code: never logged here).
 * - Closing the window rejects with `OperatorSignInCancelled`; `signal` aborting closes it and rejects with the reason.
 * - Afterwards the partition is wiped (wipe.ts), whatever the outcome.
 * - Demo only (`demoCaPem`): the emulator's HTTPS sign-in page is trusted through a certificate verify proc
 *   that accepts exactly certificates issued by the emulator's CA (demo-trust.ts); nothing else is relaxed.
 */
import { randomUUID } from 'node:crypto';
import { BrowserWindow, session as electronSession } from 'electron';
import { OperatorSignInCancelled } from '../operator/errors';
import type { SignInPresenter } from '../operator/presenter';
import { issuedByCa } from './demo-trust';
import { guardWebContents, lockDownSession } from './guard';
import { blockedRequest } from './hardening';
import { isRedirectTo, operatorSignInPolicy } from './navigation-policy';
import { wipeSession, type WipeReport } from './wipe';
import { REMOTE_PAGE_PREFERENCES } from './web-preferences';

export interface SignInWindowOptions {
  parent: BrowserWindow;
  /** The configured authority: the window loads its origin and the Microsoft sign-in hosts of its cloud. */
  authority: string;
  /** The configuration's `federationHosts`: federated domains' own identity providers, allowed exactly. */
  federationHosts?: readonly string[];
  /** Demo mode only: the emulator's CA (see the header). Undefined in production. */
  demoCaPem?: string;
  onDenied?: (url: string, reason: string) => void;
  onWipeFailed?: (report: WipeReport) => void;
}

/** Chromium's certificate verifier results: 0 accept, -3 use Chromium's own verdict. */
const CERT_ACCEPT = 0;
const CERT_USE_CHROMIUM = -3;

export function createSignInPresenter(options: SignInWindowOptions): SignInPresenter {
  return (request) =>
    new Promise<string>((resolve, reject) => {
      if (request.signal.aborted) {
        reject(request.signal.reason);
        return;
      }
      const policy = operatorSignInPolicy({
        authority: options.authority,
        redirectUri: request.redirectUri,
        ...(options.federationHosts !== undefined ? { federationHosts: options.federationHosts } : {}),
      });
      const first = policy.decide(request.url);
      if (first.kind !== 'allow') {
        reject(new Error('The sign-in page is not on the configured authority.'));
        return;
      }
      const ses = electronSession.fromPartition(`signin-${randomUUID()}`, { cache: true });
      lockDownSession(ses, { onDenied: options.onDenied });
      const caPem = options.demoCaPem;
      if (caPem !== undefined) {
        ses.setCertificateVerifyProc((req, callback) => callback(issuedByCa(req.certificate.data, caPem, req.hostname) ? CERT_ACCEPT : CERT_USE_CHROMIUM));
      }

      const parentBounds = options.parent.getBounds();
      const win = new BrowserWindow({
        parent: options.parent,
        modal: true,
        show: false,
        title: 'Operator sign-in',
        x: parentBounds.x,
        y: parentBounds.y,
        width: parentBounds.width,
        height: parentBounds.height,
        minimizable: false,
        maximizable: false,
        fullscreenable: false,
        autoHideMenuBar: true,
        webPreferences: { ...REMOTE_PAGE_PREFERENCES, session: ses },
      });
      win.setMenu(null);

      let settled = false;
      const settle = (outcome: { url: string } | { error: unknown }) => {
        if (settled) return;
        settled = true;
        request.signal.removeEventListener('abort', onAbort);
        ses.webRequest.onBeforeRequest(null);
        if (!win.isDestroyed()) win.destroy();
        void wipeSession(ses).then((report) => {
          if (report.failed.length > 0) options.onWipeFailed?.(report);
          if ('url' in outcome) resolve(outcome.url);
          else reject(outcome.error);
        });
      };
      const onAbort = () => settle({ error: request.signal.reason });
      request.signal.addEventListener('abort', onAbort, { once: true });

      ses.webRequest.onBeforeRequest({ urls: ['<all_urls>'] }, (details, callback) => {
        // Seamless SSO and device registration: never, not even a script or an image (hardening.ts).
        if (blockedRequest(details.url)) {
          options.onDenied?.(details.url, 'requests to this host are cancelled');
          callback({ cancel: true });
          return;
        }
        if (isRedirectTo(details.url, request.redirectUri)) {
          callback({ cancel: true });
          settle({ url: details.url });
          return;
        }
        callback({});
      });
      guardWebContents(win.webContents, policy, {
        onIntercept: (url) => settle({ url }),
        onDenied: options.onDenied,
      });
      win.on('closed', () => settle({ error: new OperatorSignInCancelled('The operator closed the sign-in window.') }));
      win.once('ready-to-show', () => win.show());
      win.webContents.loadURL(request.url).catch(() => {
        // Cancelling the redirect aborts the load (ERR_ABORTED) after we settled; anything earlier is a failure.
        settle({ error: new Error('The sign-in page could not be loaded.') });
      });
    });
}
