// For tests that drive the emulator's sign-in page in real Chromium. Chromium is told to accept exactly the
// emulator's server key (an SPKI pin of this run's certificate), not to ignore certificate errors in general.
import { X509Certificate, createHash } from 'node:crypto';
import tls from 'node:tls';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { Emulator } from '../server';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Chromium's CDP virtual authenticator as a USB security key: resident keys, PIN/UV, touch simulated. */
export const VIRTUAL_USB_KEY = {
  protocol: 'ctap2',
  ctap2Version: 'ctap2_1',
  transport: 'usb',
  hasResidentKey: true,
  hasUserVerification: true,
  isUserVerified: true,
  automaticPresenceSimulation: true,
} as const;

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

export async function launchChromiumFor(emu: Emulator): Promise<Browser> {
  if (Object.keys(emu.hostMap).length > 0) return chromium.launch({ executablePath: '/usr/bin/chromium', args: [...CHROMIUM_ARGS, ...chromiumHostArgs(emu)] });
  const pin = await serverSpkiHash(emu);
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: [...CHROMIUM_ARGS, `--ignore-certificate-errors-spki-list=${pin}`] });
}

/** Fills the emulator's sign-in page the way a person would: by the fields' labels, then the button. */
export async function submitSignIn(page: Page, username: string, password: string): Promise<void> {
  const user = page.getByLabel('Email or username');
  if ((await user.inputValue()) !== username) await user.fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}
