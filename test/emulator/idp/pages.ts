// The identity provider's HTML: the sign-in page and the error page (shown when there is no trustworthy
// redirect URI to send an error to). Plain, accessible markup: labelled fields, one heading, errors as alerts.

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
  body { font-family: "Segoe UI", system-ui, sans-serif; background: #f2f2f2; margin: 0; }
  main { max-width: 440px; margin: 10vh auto; background: #fff; padding: 44px; box-shadow: 0 2px 6px rgb(0 0 0 / 20%); }
  h1 { font-size: 1.5rem; font-weight: 600; margin: 0 0 1rem; }
  label { display: block; margin-top: 1rem; }
  input[type=text], input[type=email], input[type=password] { display: block; width: 100%; box-sizing: border-box;
    padding: 6px 0; border: 0; border-bottom: 1px solid #666; font-size: 1rem; }
  input:focus-visible, button:focus-visible { outline: 2px solid #0067b8; outline-offset: 2px; }
  [role=alert] { color: #a4262c; margin-top: 1rem; }
  button { margin-top: 1.5rem; background: #0067b8; color: #fff; border: 0; padding: 8px 32px; font-size: 1rem; }
  .tenant { color: #555; font-size: .9rem; }
  code { word-break: break-all; }
</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`;
}

export interface SignInPageModel {
  action: string;
  flowToken: string;
  tenantName: string;
  appName: string;
  username?: string;
  error?: string;
  /** "Sign-in options" → passkey: a form that posts to login.microsoft.com/common/fido/get (./passkey.ts). */
  passkey?: { action: string; fields: [string, string][] };
}

const hiddenInputs = (fields: [string, string][]) =>
  fields.map(([k, v]) => `  <input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}">`).join('\n');

/** [INF] The real page shows "Sign-in options" as a link to a list; the emulator shows the passkey choice at once. */
function passkeyOption(p: NonNullable<SignInPageModel['passkey']>): string {
  return `<h2>Sign-in options</h2>
<form method="post" action="${escapeHtml(p.action)}" id="passkey">
${hiddenInputs(p.fields)}
  <button type="submit">Face, fingerprint, PIN or security key</button>
</form>`;
}

export function signInPage(m: SignInPageModel): string {
  const invalid = m.error ? ' aria-invalid="true" aria-describedby="signin-error"' : '';
  return layout(
    'Sign in to your account',
    `<h1>Sign in</h1>
<p class="tenant">${escapeHtml(m.tenantName)} · to continue to ${escapeHtml(m.appName)}</p>
<form method="post" action="${escapeHtml(m.action)}">
  <input type="hidden" name="flowToken" value="${escapeHtml(m.flowToken)}">
  <label for="username">Email or username</label>
  <input id="username" name="username" type="text" inputmode="email" autocomplete="username" required value="${escapeHtml(m.username ?? '')}"${invalid}>
  <label for="password">Password</label>
  <input id="password" name="password" type="password" autocomplete="current-password" required${invalid}>
  ${m.error ? `<p id="signin-error" role="alert">${escapeHtml(m.error)}</p>` : ''}
  <button type="submit">Sign in</button>
</form>${m.passkey ? `\n${passkeyOption(m.passkey)}` : ''}`,
  );
}

/**
 * login.microsoft.com/common/fido/get: "Signing in with a passkey". The script (./passkey.ts) reads the parameters,
 * asks the browser for the assertion and posts it back to the sign-in host; nothing to click unless it fails.
 */
export function fidoGetPage(m: { params: unknown; script: string; postBackUrl: string; fields: [string, string][] }): string {
  // JSON in a non-executable script element: `<` escaped so the text cannot close the element.
  const json = JSON.stringify(m.params).replace(/</g, '\\u003c');
  return layout(
    'Sign in to your account',
    `<h1>Signing in with a passkey</h1>
<p>Follow your browser's instructions: touch your security key or use your face, fingerprint or PIN.</p>
<script type="application/json" id="fido-params">${json}</script>
<form method="post" action="${escapeHtml(m.postBackUrl)}" id="postback">
${hiddenInputs(m.fields)}
  <noscript><p role="alert">Your browser needs JavaScript to sign in with a passkey.</p></noscript>
</form>
<script src="${escapeHtml(m.script)}"></script>`,
  );
}

/** Entra's "Sorry, but we're having trouble signing you in." page, with the AADSTS code and message. */
export function errorPage(aadsts: number, message: string, ids: { requestId: string; correlationId: string; timestamp: string }): string {
  return layout(
    'Sign in to your account',
    `<h1>Sorry, but we’re having trouble signing you in.</h1>
<p role="alert"><strong>AADSTS${aadsts}:</strong> ${escapeHtml(message)}</p>
<dl>
  <dt>Request Id</dt><dd><code>${escapeHtml(ids.requestId)}</code></dd>
  <dt>Correlation Id</dt><dd><code>${escapeHtml(ids.correlationId)}</code></dd>
  <dt>Timestamp</dt><dd>${escapeHtml(ids.timestamp)}</dd>
</dl>`,
  );
}

export function signedOutPage(): string {
  return layout('Sign out', '<h1>You signed out of your account</h1>\n<p>It’s a good idea to close all browser windows.</p>');
}

/** response_mode=form_post: the browser posts the response to the app (msal-node's loopback listener uses it). */
export function formPostPage(action: string, fields: [string, string][]): string {
  const inputs = hiddenInputs(fields);
  return layout(
    'Working...',
    `<h1>Signing you in…</h1>
<form method="post" action="${escapeHtml(action)}" id="response">
${inputs}
  <noscript><button type="submit">Continue</button></noscript>
</form>
<script>document.getElementById('response').submit();</script>`,
  );
}

/** The device code verification page ("Enter code"). */
export function deviceCodePage(action: string, error?: string): string {
  const invalid = error ? ' aria-invalid="true" aria-describedby="code-error"' : '';
  return layout(
    'Enter code',
    `<h1>Enter code</h1>
<p>Enter the code displayed on your app or device.</p>
<form method="post" action="${escapeHtml(action)}">
  <label for="otc">Code</label>
  <input id="otc" name="otc" type="text" autocomplete="one-time-code" autocapitalize="characters" required${invalid}>
  ${error ? `<p id="code-error" role="alert">${escapeHtml(error)}</p>` : ''}
  <button type="submit">Next</button>
</form>`,
  );
}

export function deviceDonePage(appName: string): string {
  return layout(
    'Signed in',
    `<h1>${escapeHtml(appName)}</h1>\n<p>You have signed in to the ${escapeHtml(appName)} application on your device. You may now close this window.</p>`,
  );
}
