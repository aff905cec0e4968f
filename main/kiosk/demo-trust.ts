/**
 * Demo mode only: whether a server certificate was issued by the emulator's own CA for the host asked for.
 * The Electron sign-in window's session uses this in `setCertificateVerifyProc`, so the demo trusts exactly the
 * emulator and nothing else is relaxed (never `ignore-certificate-errors`, never a global switch). Production
 * sessions never install a verify proc: Chromium checks against the system store.
 * No `electron` import; tested in Node against the emulator's real certificate.
 */
import { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';

export function issuedByCa(leafPem: string, caPem: string, hostname: string, now: Date = new Date()): boolean {
  let leaf: X509Certificate;
  let ca: X509Certificate;
  try {
    leaf = new X509Certificate(leafPem);
    ca = new X509Certificate(caPem);
  } catch {
    return false;
  }
  if (!ca.ca) return false;
  if (!leaf.checkIssued(ca) || !leaf.verify(ca.publicKey)) return false;
  if (now < new Date(leaf.validFrom) || now > new Date(leaf.validTo)) return false;
  const host = hostname.replace(/^\[|\]$/g, '');
  return isIP(host) !== 0 ? leaf.checkIP(host) !== undefined : leaf.checkHost(host) !== undefined;
}
