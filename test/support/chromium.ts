// The one way tests, the web harness and the screenshot script start Chromium: Debian's build (the CI installs
// the `chromium` package; Playwright's own download is not used), the same switches everywhere, and for pages of
// the emulator a trust for exactly the emulator's certificates (SPKI pins), never certificate errors in general.
// Also Chromium's virtual CTAP2 authenticator (CDP WebAuthn domain), as the kiosk's user's security key.
import { X509Certificate, createHash } from 'node:crypto';
import tls from 'node:tls';
import { chromium, type Browser, type BrowserContext, type CDPSession, type Page } from 'playwright-core';
import type { Emulator } from '../emulator/server';

/** Debian's Chromium (playwright.config.ts names the same binary for the Playwright suites). */
export const CHROMIUM_EXECUTABLE = '/usr/bin/chromium';

/** No sandbox (containers), no GPU, no QUIC, and none of the background traffic a fresh profile starts. */
export const CHROMIUM_ARGS: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface LaunchChromiumOptions {
  /** Switches after CHROMIUM_ARGS. */
  args?: readonly string[];
  /** Default: headless. */
  headless?: boolean;
}

export function launchChromium(options: LaunchChromiumOptions = {}): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_EXECUTABLE,
    args: [...CHROMIUM_ARGS, ...(options.args ?? [])],
    ...(options.headless === undefined ? {} : { headless: options.headless }),
  });
}

/** base64(sha256(SubjectPublicKeyInfo)) of the certificate the emulator serves, read over a verified TLS handshake. */
export function serverSpkiHash(emu: Emulator): Promise<string> {
  const { hostname, port } = new URL(emu.urls.origin);
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: hostname, port: Number(port), servername: hostname, ca: emu.caPem }, () => {
      const cert = socket.getPeerCertificate();
      socket.end();
      if (!socket.authorized || !cert.raw) {
        reject(new Error(`emulator certificate not trusted: ${String(socket.authorizationError)}`));
        return;
      }
      // `cert.pubkey` is the bare EC point; Chromium pins the DER SubjectPublicKeyInfo.
      const spki = new X509Certificate(cert.raw).publicKey.export({ type: 'spki', format: 'der' });
      resolve(createHash('sha256').update(spki).digest('base64'));
    });
    socket.on('error', reject);
  });
}

/**
 * Chromium arguments that send Microsoft's host names to this emulator (`--host-resolver-rules`) and trust this
 * emulator's certificates only (`--ignore-certificate-errors-spki-list` with its CA's and server's SPKI hashes),
 * never certificate errors in general. Empty rules for an emulator on localhost.
 */
export function chromiumHostArgs(emu: Emulator): string[] {
  const rules = Object.entries(emu.hostMap).map(([name, t]) => `MAP ${name} ${t.host}:${t.port}`);
  return [...(rules.length > 0 ? [`--host-resolver-rules=${rules.join(',')}`] : []), `--ignore-certificate-errors-spki-list=${emu.spkiHashes.join(',')}`];
}

/** Chromium for pages of this emulator: on Microsoft's host names (`chromiumHostArgs`), or pinned to its server key on localhost. */
export async function launchChromiumFor(emu: Emulator, options: Omit<LaunchChromiumOptions, 'args'> = {}): Promise<Browser> {
  if (Object.keys(emu.hostMap).length > 0) return launchChromium({ ...options, args: chromiumHostArgs(emu) });
  const pin = await serverSpkiHash(emu);
  return launchChromium({ ...options, args: [`--ignore-certificate-errors-spki-list=${pin}`] });
}

/**
 * The AAGUID Chromium's virtual CTAP2 authenticator registers with. Asked for `direct` attestation it answers
 * `packed` attestation signed by a self-signed "Batch Certificate" (O=Chromium) under this AAGUID; asked for `none`,
 * it answers `none` with a zero AAGUID (observed with Chromium 156). No FIDO metadata lists it, so the emulator
 * records the key as `notAttested`, and a policy with `isAttestationEnforced: true` refuses it, as a real tenant
 * enforcing attestation would.
 */
export const VIRTUAL_AUTHENTICATOR_AAGUID = '01020304-0506-0708-0102-030405060708';

/** A USB security key with resident keys and a PIN (user verified), touched as soon as it is asked. */
export const VIRTUAL_AUTHENTICATOR_OPTIONS = {
  protocol: 'ctap2',
  ctap2Version: 'ctap2_1',
  transport: 'usb',
  hasResidentKey: true,
  hasUserVerification: true,
  isUserVerified: true,
  automaticPresenceSimulation: true,
} as const;

/** Plugs Chromium's virtual authenticator into this page's browser context (CDP WebAuthn.addVirtualAuthenticator). */
export async function addVirtualAuthenticator(context: BrowserContext, page: Page): Promise<{ cdp: CDPSession; authenticatorId: string }> {
  const cdp = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', { options: VIRTUAL_AUTHENTICATOR_OPTIONS });
  return { cdp, authenticatorId };
}
