// An operator's passkey, made the way a real tenant gets one and carried like a security key between browsers:
// an administrator provisions it on the operator's behalf through Graph (GET …/fido2Methods/creationOptions, the
// ceremony in Chromium's virtual authenticator on origin https://login.microsoft.com, POST …/fido2Methods), and
// the credential (with its private key, read over CDP WebAuthn.getCredentials) is plugged into the virtual
// authenticator of the page the operator later signs in on (WebAuthn.addCredential).
import https from 'node:https';
import type { Browser, Page } from 'playwright-core';
import { createHttpsAgent } from '../../../main/net/https-agent';
import { addVirtualAuthenticator } from '../../support/chromium';
import type { Emulator } from '../server';
import { accessTokenFor } from './tokens';

/** A credential as CDP's WebAuthn domain gives and takes it (private key included). */
export interface VirtualCredential {
  credentialId: string;
  isResidentCredential: boolean;
  rpId?: string;
  privateKey: string;
  userHandle?: string;
  signCount: number;
}

async function graph(emu: Emulator, method: 'GET' | 'POST', path: string, token: string, body?: unknown): Promise<{ status: number; json: unknown }> {
  const agent = createHttpsAgent({ caPem: emu.caPem, hostMap: emu.hostMap });
  const payload = body === undefined ? undefined : JSON.stringify(body);
  try {
    return await new Promise((resolve, reject) => {
      const req = https.request(
        `${emu.urls.graph}${path}`,
        { method, agent, headers: { authorization: `Bearer ${token}`, ...(payload ? { 'content-type': 'application/json' } : {}) } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(Buffer.concat(chunks).toString('utf8') || 'null') }));
          res.on('error', reject);
        },
      );
      req.setTimeout(15_000, () => req.destroy(new Error('timeout')));
      req.on('error', reject);
      req.end(payload);
    });
  } finally {
    agent.destroy();
  }
}

interface CreationOptions {
  publicKey: {
    rp: { id: string; name: string };
    user: { id: string; name: string; displayName: string };
    challenge: string;
    pubKeyCredParams: { type: string; alg: number }[];
    excludeCredentials: { id: string }[];
  };
}

/**
 * Runs in the page (a string: the test build has no DOM types): navigator.credentials.create with the options as
 * Graph gives them, less the "platform" attachment (the key is a USB key, as the provisioning tools do).
 */
const CREATE_IN_PAGE = `async (pk) => {
  const bytes = (s) => Uint8Array.from(atob(s.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (s.length % 4)) % 4)), (c) => c.charCodeAt(0));
  const b64url = (b) => btoa(String.fromCharCode(...new Uint8Array(b))).replace(/\\+/g, '-').replace(/\\//g, '_').replace(/=+$/, '');
  const created = await navigator.credentials.create({
    publicKey: {
      rp: pk.rp,
      user: { id: bytes(pk.user.id), name: pk.user.name, displayName: pk.user.displayName },
      challenge: bytes(pk.challenge),
      pubKeyCredParams: pk.pubKeyCredParams.map((p) => ({ type: 'public-key', alg: p.alg })),
      excludeCredentials: pk.excludeCredentials.map((c) => ({ type: 'public-key', id: bytes(c.id) })),
      authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
      attestation: 'direct',
    },
  });
  const r = created.response;
  return { id: created.id, clientDataJSON: b64url(r.clientDataJSON), attestationObject: b64url(r.attestationObject) };
}`;

/** CDP gives a credential id in base64; WebAuthn and Graph speak base64url. */
export const credentialIdOf = (credential: VirtualCredential) => Buffer.from(credential.credentialId, 'base64').toString('base64url');

/**
 * `admin` (a Privileged Authentication Administrator, who may act on other admins) provisions a passkey for
 * `operator` through Graph; the ceremony runs in Chromium's virtual authenticator on https://login.microsoft.com
 * (the RP id the options name). Returns the credential, to plug into the sign-in page's authenticator.
 */
export async function provisionOperatorPasskey(emu: Emulator, browser: Browser, operator: string, admin: string): Promise<VirtualCredential> {
  const token = await accessTokenFor(emu, admin);
  const user = encodeURIComponent(operator);
  const options = await graph(emu, 'GET', `/users/${user}/authentication/fido2Methods/creationOptions`, token);
  if (options.status !== 200) throw new Error(`creationOptions: ${options.status} ${JSON.stringify(options.json)}`);
  const publicKey = (options.json as CreationOptions).publicKey;
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const { cdp, authenticatorId } = await addVirtualAuthenticator(context, page);
    // Any page on the RP's origin will do for the ceremony; nothing of it is sent to the network.
    const origin = `https://${publicKey.rp.id}`;
    await page.route(`${origin}/provision`, (route) =>
      route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><title>Provision</title>' }),
    );
    await page.goto(`${origin}/provision`);
    const credential = await page.evaluate<{ id: string; clientDataJSON: string; attestationObject: string }>(
      `(${CREATE_IN_PAGE})(${JSON.stringify(publicKey)})`,
    );
    const registered = await graph(emu, 'POST', `/users/${user}/authentication/fido2Methods`, token, {
      displayName: 'Operator passkey',
      publicKeyCredential: { id: credential.id, response: { clientDataJSON: credential.clientDataJSON, attestationObject: credential.attestationObject } },
    });
    if (registered.status !== 201) throw new Error(`fido2Methods: ${registered.status} ${JSON.stringify(registered.json)}`);
    const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
    const made = credentials[0];
    if (!made) throw new Error('the virtual authenticator holds no credential');
    return made;
  } finally {
    await context.close();
  }
}

/** Plugs a virtual authenticator holding `credential` into this page (the operator's key, brought to the window). */
export async function plugPasskey(page: Page, credential: VirtualCredential): Promise<void> {
  const { cdp, authenticatorId } = await addVirtualAuthenticator(page.context(), page);
  await cdp.send('WebAuthn.addCredential', { authenticatorId, credential });
}

/** The operator's choice on the sign-in page: "Sign-in options" → "Face, fingerprint, PIN or security key". */
export async function choosePasskey(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Face, fingerprint, PIN or security key' }).click();
}
