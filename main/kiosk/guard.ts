/**
 * Installs a navigation policy (navigation-policy.ts) on one web contents: every renderer-initiated navigation
 * of any frame (`will-frame-navigate`, plus `will-navigate` as a second net), every server redirect
 * (`will-redirect`) is asked; denied ones are stopped, intercepted ones (the OAuth redirect) are stopped and
 * handed to `onIntercept`. New windows are always denied, `<webview>` is never attached.
 * Thin Electron glue: the decisions are the policy's, tested without Electron.
 */
import type { App, Event as ElectronEvent, Session, WebContents } from 'electron';
import { blockedRequest, droppedShortcut, type KeyInput } from './hardening';
import { decidePermission, type NavigationPolicy } from './navigation-policy';

export interface GuardHooks {
  /** The URL of an intercepted navigation (only policies that return `intercept` call it). */
  onIntercept?: (url: string) => void;
  /** A denied navigation or window, for the station's diagnostics (URL and reason; never page content). */
  onDenied?: (url: string, reason: string) => void;
}

export function guardWebContents(contents: WebContents, policy: NavigationPolicy, hooks: GuardHooks = {}): void {
  const check = (event: ElectronEvent, url: string): void => {
    const verdict = policy.decide(url);
    if (verdict.kind === 'allow') return;
    event.preventDefault();
    if (verdict.kind === 'intercept') hooks.onIntercept?.(url);
    else hooks.onDenied?.(url, verdict.reason);
  };
  contents.on('will-frame-navigate', (event) => check(event, event.url));
  contents.on('will-navigate', (event) => check(event, event.url));
  contents.on('will-redirect', (event) => check(event, event.url));
  contents.setWindowOpenHandler(({ url }) => {
    hooks.onDenied?.(url, 'new windows are never opened');
    return { action: 'deny' };
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
}

/**
 * Every session the kiosk uses (default, My Security Info, operator sign-in): all permissions denied (request
 * and check), no device chooser answers (WebHID, WebUSB, Web Serial pick nothing), downloads cancelled, no
 * spell-checker (it would send words to a dictionary service).
 */
export function lockDownSession(ses: Session, hooks: Pick<GuardHooks, 'onDenied'> = {}): void {
  ses.setPermissionRequestHandler((_contents, permission, callback, details) => {
    hooks.onDenied?.(details.requestingUrl, `permission "${permission}" denied`);
    callback(decidePermission(permission, details.requestingUrl));
  });
  ses.setPermissionCheckHandler((_contents, permission, requestingOrigin) => decidePermission(permission, requestingOrigin));
  ses.setDevicePermissionHandler(() => false);
  ses.on('select-hid-device', (event, _details, callback) => {
    event.preventDefault();
    callback(null);
  });
  ses.on('select-usb-device', (event, _details, callback) => {
    event.preventDefault();
    callback();
  });
  ses.on('select-serial-port', (event, _ports, _contents, callback) => {
    event.preventDefault();
    callback('');
  });
  ses.on('will-download', (event, item) => {
    event.preventDefault();
    item.cancel();
    hooks.onDenied?.(item.getURL(), 'downloads are never allowed');
  });
  ses.setSpellCheckerEnabled(false);
}

/** Kiosk mode: reload, DevTools, print and close shortcuts never reach the page or Electron (hardening.ts). */
export function dropKioskShortcuts(contents: WebContents): void {
  contents.on('before-input-event', (event, input: KeyInput) => {
    if (droppedShortcut(input) !== null) event.preventDefault();
  });
}

/**
 * The My Security Info partition: every request (script, XHR, image, frame: not only navigations) to Seamless SSO
 * or device registration is cancelled (hardening.ts `blockedRequest`). A session has one such listener; the
 * sign-in window, which needs its own, applies `blockedRequest` in it.
 */
export function cancelBlockedRequests(ses: Session, hooks: Pick<GuardHooks, 'onDenied'> = {}): void {
  ses.webRequest.onBeforeRequest({ urls: ['<all_urls>'] }, (details, callback) => {
    const cancel = blockedRequest(details.url);
    if (cancel) hooks.onDenied?.(details.url, 'requests to this host are cancelled');
    callback({ cancel });
  });
}

/** The app never answers a TLS client-certificate request (Electron would pick the first certificate silently). */
export function refuseClientCertificates(app: App): void {
  app.on('select-client-certificate', (event, _contents, _url, _list, callback) => {
    event.preventDefault();
    callback();
  });
}
