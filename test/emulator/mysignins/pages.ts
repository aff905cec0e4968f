// The server-rendered pages, worded after mysignins.microsoft.com/security-info and login.microsoftonline.com.
// Every page carries `data-step` on <body> (and `data-error` when it shows a refusal) so the kiosk's guide panel can
// tell where the user is without reading text. No inline script or style: the CSP forbids both.
import type { Fido2Record, TapRecord, UserRecord } from '../model';
import { Html, html } from './html';
import type { Refusal } from './signin';
import { displayDate } from './signin';

export type Step =
  | 'sign-in-username'
  | 'sign-in-tap'
  | 'security-info'
  | 'add-method'
  | 'security-key-type'
  | 'webauthn'
  | 'name-key'
  | 'done'
  | 'signed-out'
  | 'error'
  /** The registration interrupt (interrupt.ts): "More information required" on the sign-in host, then the wizard. */
  | 'more-info-required'
  | 'keep-account-secure';

export interface PageMessage {
  code: string;
  title: string;
  detail?: string | undefined;
  aadsts?: number | undefined;
}

interface Layout {
  step: Step;
  title: string;
  /** The document title when it is not "<title> - My Sign-Ins" (the sign-in host's own pages). */
  documentTitle?: string;
  tenant: string;
  error?: PageMessage | null;
  /** Signed-in pages get the top bar with the user's name and Sign out. */
  user?: UserRecord;
  scripts?: string[];
  body: Html;
}

export function page({ step, title, documentTitle, tenant, error, user, scripts = [], body }: Layout): string {
  const shell = user
    ? html`<header class="topbar">
          <span class="app-name">${tenant} <span class="tag">My Sign-Ins</span></span>
          <span class="who" data-user="${user.userPrincipalName}">${user.displayName}</span>
          <form method="post" action="/signout" class="signout"><button type="submit" class="link-button">Sign out</button></form>
        </header>
        <div class="layout">
          <nav aria-label="My Sign-Ins" class="sidenav">
            <ul>
              <li><a href="/security-info" aria-current="${step === 'security-info' ? 'page' : 'false'}">Security info</a></li>
            </ul>
          </nav>
          <main id="main" tabindex="-1">${body}</main>
        </div>`
    : html`<main id="main" class="centered" tabindex="-1">
        <div class="card">
          <p class="brand">${tenant}</p>
          ${body}
        </div>
      </main>`;
  return `<!doctype html>
${html`<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>${documentTitle ?? `${title} - My Sign-Ins`}</title>
    <link rel="stylesheet" href="/static/mysignins.css" />
    ${scripts.map((s) => html`<script src="${s}" defer></script>`)}
  </head>
  <body data-step="${step}" ${error ? html` data-error="${error.code}"` : ''}>
    <a class="skip-link" href="#main">Skip to main content</a>
    ${shell}
    <footer class="footer"><p>Emulated for TAP Kiosk tests and demos. Not a Microsoft service.</p></footer>
  </body>
</html>`}`;
}

function alert(error: PageMessage | null | undefined, id: string): Html {
  if (!error) return html``;
  return html`<div class="alert" role="alert" id="${id}">
    <p class="alert-title">${error.title}</p>
    ${error.detail ? html`<p>${error.detail}</p>` : ''} ${error.aadsts ? html`<p class="code">Error code: AADSTS${error.aadsts}</p>` : ''}
  </div>`;
}

/**
 * Where the sign-in forms post, and what they carry. Default: My Security Info's own /signin (the emulator's
 * localhost mode). On Microsoft's host names the pages are the sign-in host's: they post to
 * login.microsoftonline.com/<tenant>/login with the flow's context, and keep its document title.
 */
export interface SignInForm {
  action: string;
  /** Hidden fields posted with the form (the flow context). */
  hidden?: Readonly<Record<string, string>>;
  /** "Back to the username" from the pass step. */
  back: string;
  /** The sign-in host's document title ("Sign in to your account"). */
  documentTitle?: string;
}

const LOCAL_SIGN_IN: SignInForm = { action: '/signin', back: '/signin' };

const hiddenFields = (form: SignInForm) =>
  Object.entries(form.hidden ?? {}).map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}" />`);

export function signInUsernamePage(tenant: string, opts: { username?: string; error?: Refusal | null; form?: SignInForm } = {}): string {
  const err = opts.error ?? null;
  const form = opts.form ?? LOCAL_SIGN_IN;
  return page({
    step: 'sign-in-username',
    title: 'Sign in',
    ...(form.documentTitle ? { documentTitle: form.documentTitle } : {}),
    tenant,
    error: err,
    body: html`<h1>Sign in</h1>
      <p>to continue to My Sign-Ins</p>
      <form method="post" action="${form.action}" novalidate>
        ${hiddenFields(form)} ${alert(err, 'username-error')}
        <label for="username">Email, phone, or Skype</label>
        <input
          id="username"
          name="username"
          type="text"
          inputmode="email"
          autocomplete="username"
          spellcheck="false"
          autocapitalize="off"
          value="${opts.username ?? ''}"
          autofocus${err ? html` aria-invalid="true" aria-describedby="username-error"` : ''}
        />
        <div class="actions"><button type="submit" class="primary">Next</button></div>
      </form>`,
  });
}

export function signInTapPage(tenant: string, username: string, error: Refusal | null = null, form: SignInForm | null = null): string {
  const f = form ?? { ...LOCAL_SIGN_IN, action: '/signin/tap' };
  return page({
    step: 'sign-in-tap',
    title: 'Enter Temporary Access Pass',
    ...(f.documentTitle ? { documentTitle: f.documentTitle } : {}),
    tenant,
    error,
    body: html`<p class="identity"><a href="${f.back}" aria-label="Back to the username, signed in as ${username}">&larr;</a> ${username}</p>
      <h1>Enter Temporary Access Pass</h1>
      <form method="post" action="${f.action}" novalidate>
        ${hiddenFields(f)}
        <input type="hidden" name="username" value="${username}" />
        ${alert(error, 'tap-error')}
        <label for="tap">Temporary Access Pass</label>
        <input
          id="tap"
          name="tap"
          type="password"
          autocomplete="one-time-code"
          spellcheck="false"
          autofocus${error ? html` aria-invalid="true" aria-describedby="tap-error"` : ''}
        />
        <div class="actions"><button type="submit" class="primary">Sign in</button></div>
      </form>`,
  });
}

export interface SecurityInfoView {
  user: UserRecord;
  keys: Fido2Record[];
  tap: TapRecord | undefined;
  tapUsable: boolean;
  /** End of the one-time window, when the session came from a one-time pass. */
  deadline: Date | null;
  notice?: string;
}

export function securityInfoPage(tenant: string, v: SecurityInfoView): string {
  const rows: Html[] = [
    html`<li class="method" data-method="password"><span class="method-type">Password</span><span class="method-detail"></span></li>`,
    ...v.keys.map(
      (k) =>
        html`<li class="method" data-method="fido2" data-aaguid="${k.aaGuid}">
          <span class="method-type">Security key</span>
          <span class="method-detail"><span class="key-name">${k.displayName}</span> <span class="key-model">${k.model}</span></span>
          <span class="method-date">Added ${displayDate(k.createdDateTime)}</span>
        </li>`,
    ),
    ...(v.tap
      ? [
          html`<li class="method" data-method="temporaryAccessPass">
            <span class="method-type">Temporary Access Pass</span>
            <span class="method-detail">${v.tapUsable ? 'Valid' : 'No longer usable'}</span>
            <span class="method-date">Expires ${displayDate(new Date(v.tap.startDateTime.getTime() + v.tap.lifetimeInMinutes * 60_000))}</span>
          </li>`,
        ]
      : []),
  ];
  return page({
    step: 'security-info',
    title: 'Security info',
    tenant,
    user: v.user,
    body: html`<h1>Security info</h1>
      <p>These are the methods you use to sign into your account or reset your password.</p>
      ${v.notice ? html`<p class="notice" role="status">${v.notice}</p>` : ''}
      ${v.deadline ? html`<p class="notice" data-deadline="${v.deadline.toISOString()}">You signed in with a one-time Temporary Access Pass. Finish adding your security key before ${displayDate(v.deadline)}.</p>` : ''}
      <p><a class="button primary" href="/security-info/add" id="add-method">+ Add sign-in method</a></p>
      <ul class="methods" aria-label="Your sign-in methods">
        ${rows}
      </ul>`,
  });
}

export function addMethodPage(tenant: string, user: UserRecord, refusal: PageMessage | null): string {
  return page({
    step: 'add-method',
    title: 'Add a sign-in method',
    tenant,
    user,
    error: refusal,
    body: html`<h1>Add a sign-in method</h1>
      ${
        refusal
          ? html`${alert(refusal, 'add-error')}
              <p><a class="button" href="/security-info">Back</a></p>`
          : html`<p>Which method would you like to add?</p>
              <ul class="choices">
                <li>
                  <a class="choice" href="/security-info/add/security-key" id="choose-security-key"
                    ><span class="choice-title">Security key</span> <span class="choice-desc">Sign in using a USB, Bluetooth, or NFC device</span></a
                  >
                </li>
              </ul>
              <p><a class="button" href="/security-info">Cancel</a></p>`
      }`,
  });
}

export function securityKeyTypePage(tenant: string, user: UserRecord): string {
  return page({
    step: 'security-key-type',
    title: 'Security key',
    tenant,
    user,
    body: html`<h1>Security key</h1>
      <p>Choose the type of security key that you have.</p>
      <ul class="choices">
        <li>
          <a class="choice" href="/security-info/add/security-key/usb" id="choose-usb"><span class="choice-title">USB device</span></a>
        </li>
      </ul>
      <p><a class="button" href="/security-info/add">Back</a></p>`,
  });
}

const KEY_READY = html`<p><strong>Have your key ready</strong></p>
  <p>
    When you choose Next, you will be prompted to plug your security key into the USB port. Then touch the button or sensor on your security key to finish
    setting up your device.
  </p>`;

/**
 * "USB device" on Microsoft's host names: Next leaves My Security Info for the registration page on the sign-in host
 * (login.microsoft.com/<tenant>/fido/create), where the WebAuthn ceremony runs.
 */
export function usbHopPage(tenant: string, user: UserRecord, createUrl: string): string {
  return page({
    step: 'security-key-type',
    title: 'Security key',
    tenant,
    user,
    body: html`<h1>Security key</h1>
      ${KEY_READY}
      <div class="actions">
        <a class="button" href="/security-info/add/security-key">Back</a>
        <a class="button primary" href="${createUrl}" id="webauthn-hop">Next</a>
      </div>`,
  });
}

/**
 * The registration page on login.microsoft.com: the WebAuthn ceremony on that origin (RP id login.microsoft.com),
 * then back to My Security Info. `endpoints` are this page's own options/verify URLs and My Security Info's error page.
 */
export function fidoCreatePage(tenant: string, user: UserRecord, endpoints: { options: string; verify: string; errorPage: string; cancel: string }): string {
  return page({
    step: 'webauthn',
    title: 'Security key',
    documentTitle: 'Sign in to your account',
    tenant,
    scripts: ['/static/webauthn.js'],
    body: html`<p class="identity">${user.userPrincipalName}</p>
      <h1>Setting up your security key</h1>
      <p>Your browser will ask you to insert your security key, enter its PIN and touch it.</p>
      <p>Your browser may ask for your security key's PIN. If your key has no PIN yet, you'll be asked to create one.</p>
      <p id="webauthn-status" class="status" role="status" aria-live="polite"></p>
      <noscript><p class="alert">This step needs JavaScript to talk to your security key.</p></noscript>
      <div class="actions">
        <a class="button" href="${endpoints.cancel}">Cancel</a>
        <button
          type="button"
          class="primary"
          id="webauthn-start"
          data-options="${endpoints.options}"
          data-verify="${endpoints.verify}"
          data-error-page="${endpoints.errorPage}"
        >
          Next
        </button>
      </div>`,
  });
}

export function webauthnPage(tenant: string, user: UserRecord): string {
  return page({
    step: 'webauthn',
    title: 'Security key',
    tenant,
    user,
    scripts: ['/static/webauthn.js'],
    body: html`<h1>Security key</h1>
      ${KEY_READY}
      <p>Your browser may ask for your security key's PIN. If your key has no PIN yet, you'll be asked to create one.</p>
      <p id="webauthn-status" class="status" role="status" aria-live="polite"></p>
      <noscript><p class="alert">This step needs JavaScript to talk to your security key.</p></noscript>
      <div class="actions">
        <a class="button" href="/security-info/add/security-key">Back</a>
        <button type="button" class="primary" id="webauthn-start" data-options="/security-info/webauthn/options" data-verify="/security-info/webauthn/verify">
          Next
        </button>
      </div>`,
  });
}

export function nameKeyPage(tenant: string, user: UserRecord, opts: { value?: string; error?: PageMessage | null } = {}): string {
  const err = opts.error ?? null;
  return page({
    step: 'name-key',
    title: 'Name your security key',
    tenant,
    user,
    error: err,
    body: html`<h1>Name your security key</h1>
      <p>This will help distinguish it from other keys.</p>
      <form method="post" action="/security-info/add/security-key/name" novalidate>
        ${alert(err, 'name-error')}
        <label for="displayName">Security key name</label>
        <input
          id="displayName"
          name="displayName"
          type="text"
          maxlength="64"
          autocomplete="off"
          value="${opts.value ?? ''}"
          autofocus${err ? html` aria-invalid="true" aria-describedby="name-error"` : ''}
        />
        <div class="actions"><button type="submit" class="primary">Next</button></div>
      </form>`,
  });
}

export function donePage(tenant: string, user: UserRecord, key: Fido2Record | undefined): string {
  return page({
    step: 'done',
    title: 'Security key',
    tenant,
    user,
    body: html`<h1>You're all set!</h1>
      ${key ? html`<p class="notice" role="status" data-key-id="${key.id}">Security key "${key.displayName}" was successfully registered.</p>` : ''}
      <p>You can use your security key instead of a username and password the next time you sign in.</p>
      <p>Be sure to follow your security key manufacturer's guidance to perform any additional setup tasks such as registering your fingerprint.</p>
      <p><a class="button primary" href="/security-info" id="done">Done</a></p>`,
  });
}

export function signedOutPage(tenant: string): string {
  return page({
    step: 'signed-out',
    title: 'Signed out',
    tenant,
    body: html`<h1>You signed out of your account</h1>
      <p>It's a good idea to close all browser windows.</p>
      <p><a class="button" href="/signin">Sign in again</a></p>`,
  });
}

export function errorPage(
  tenant: string,
  error: PageMessage,
  opts: { user?: UserRecord; heading?: string; back?: { href: string; label: string } } = {},
): string {
  const back = opts.back ?? (opts.user ? { href: '/security-info', label: 'Back to Security info' } : { href: '/signin', label: 'Sign in' });
  return page({
    step: 'error',
    title: error.title,
    tenant,
    ...(opts.user ? { user: opts.user } : {}),
    error,
    body: html`<h1>${opts.heading ?? 'Something went wrong'}</h1>
      ${alert(error, 'error-detail')}
      <p><a class="button primary" href="${back.href}">${back.label}</a></p>`,
  });
}
