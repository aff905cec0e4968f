// My Security Info, "Security key" step: ask the server for creation options, let the browser talk to the key
// (touch + PIN), send the attestation back, and follow the server's answer. Served as /static/webauthn.js; the
// page's CSP allows no inline script.
(function () {
  'use strict';

  function toBytes(b64url) {
    const b64 = b64url.replace(/-/g, '+').replace(/_/g, '/');
    const bin = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  }

  function toB64url(buf) {
    const bytes = new Uint8Array(buf);
    let bin = '';
    for (let i = 0; i < bytes.length; i++) bin += String.fromCharCode(bytes[i]);
    return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  }

  function creationOptions(json) {
    return Object.assign({}, json, {
      challenge: toBytes(json.challenge),
      user: Object.assign({}, json.user, { id: toBytes(json.user.id) }),
      excludeCredentials: (json.excludeCredentials || []).map(function (c) {
        return Object.assign({}, c, { id: toBytes(c.id) });
      }),
    });
  }

  function registrationJson(cred) {
    const r = cred.response;
    return {
      id: cred.id,
      rawId: toB64url(cred.rawId),
      type: cred.type,
      authenticatorAttachment: cred.authenticatorAttachment || undefined,
      clientExtensionResults: cred.getClientExtensionResults(),
      response: {
        clientDataJSON: toB64url(r.clientDataJSON),
        attestationObject: toB64url(r.attestationObject),
        transports: typeof r.getTransports === 'function' ? r.getTransports() : [],
      },
    };
  }

  async function post(url, body) {
    const res = await fetch(url, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    return res.json();
  }

  const button = document.getElementById('webauthn-start');
  const status = document.getElementById('webauthn-status');
  if (!button || !status) return;

  // On login.microsoft.com the error page is My Security Info's, on another origin.
  function fail(code) {
    window.location.assign((button.dataset.errorPage || '/security-info/error') + '?code=' + encodeURIComponent(code));
  }

  // The guide panel reads data-webauthn: "prompt" while the browser talks to the key, "verifying" after.
  function phase(name) {
    document.body.setAttribute('data-webauthn', name);
  }

  button.addEventListener('click', async function () {
    button.disabled = true;
    status.textContent = 'Follow the instructions from your browser. Insert your security key, enter its PIN and touch it.';
    let answer;
    try {
      answer = await post(button.dataset.options, {});
    } catch {
      return fail('network');
    }
    if (!answer.options) return window.location.assign(answer.redirect || '/signin');
    if (!window.PublicKeyCredential || !navigator.credentials) return fail('webauthn-unsupported');
    let cred;
    phase('prompt');
    try {
      cred = await navigator.credentials.create({ publicKey: creationOptions(answer.options) });
    } catch (e) {
      return fail(e && e.name === 'InvalidStateError' ? 'key-already-registered' : 'webauthn-cancelled');
    }
    phase('verifying');
    status.textContent = 'Checking your security key…';
    try {
      answer = await post(button.dataset.verify, registrationJson(cred));
    } catch {
      return fail('network');
    }
    window.location.assign(answer.redirect || '/signin');
  });
})();
