/**
 * A test attestation chain for the software authenticator's packed attestation (WebAuthn §8.2 "Packed
 * Attestation Statement Format"): a self-signed root CA and an attestation certificate whose subject has
 * C, O, OU = "Authenticator Attestation" and CN, with basicConstraints CA:false and the
 * id-fido-gen-ce-aaguid extension (1.3.6.1.4.1.45724.1.1.4) holding the AAGUID (WebAuthn §8.2.1). Test
 * certificates only: they chain to nothing real.
 */
import 'reflect-metadata'; // @peculiar/x509 uses tsyringe, which needs the Reflect polyfill loaded first
import { webcrypto, createPrivateKey, type KeyObject } from 'node:crypto';
import * as x509 from '@peculiar/x509';

export interface TestAttestation {
  /** DER of the attestation certificate (x5c[0]). */
  leafDer: Uint8Array;
  /** DER of the root CA certificate: the trust anchor a relying party is given. */
  rootDer: Uint8Array;
  /** PEM of the root CA. */
  rootPem: string;
  /** The attestation private key (P-256). */
  privateKey: KeyObject;
}

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const AAGUID_OID = '1.3.6.1.4.1.45724.1.1.4';

const cache = new Map<string, Promise<TestAttestation>>();

/** The chain for one AAGUID (cached per AAGUID: generating keys takes a few milliseconds). */
export function testAttestation(aaguid: string): Promise<TestAttestation> {
  let p = cache.get(aaguid);
  if (!p) {
    p = build(aaguid);
    cache.set(aaguid, p);
  }
  return p;
}

async function build(aaguid: string): Promise<TestAttestation> {
  const crypto = webcrypto;
  x509.cryptoProvider.set(webcrypto as unknown as ReturnType<typeof x509.cryptoProvider.get>);
  const rootKeys = await crypto.subtle.generateKey(ALG, true, ['sign', 'verify']);
  const leafKeys = await crypto.subtle.generateKey(ALG, true, ['sign', 'verify']);
  const notBefore = new Date(Date.now() - 24 * 3600_000);
  const notAfter = new Date(Date.now() + 365 * 24 * 3600_000);
  const root = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: 'CN=TAP Kiosk Test Attestation Root, O=TAP Kiosk tests, C=DE',
    notBefore,
    notAfter,
    keys: rootKeys,
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
    ],
  });
  const aaguidBytes = Buffer.from(aaguid.replaceAll('-', ''), 'hex');
  // The extension value is an OCTET STRING wrapping the 16 AAGUID bytes: 04 10 <aaguid>.
  const aaguidExt = new x509.Extension(AAGUID_OID, false, Buffer.concat([Uint8Array.of(0x04, 0x10), aaguidBytes]));
  const leaf = await x509.X509CertificateGenerator.create({
    serialNumber: '02',
    subject: 'C=DE, O=TAP Kiosk tests, OU=Authenticator Attestation, CN=TAP Kiosk Software Authenticator',
    issuer: root.subject,
    notBefore,
    notAfter,
    publicKey: leafKeys.publicKey,
    signingKey: rootKeys.privateKey,
    signingAlgorithm: ALG,
    extensions: [new x509.BasicConstraintsExtension(false, undefined, true), aaguidExt],
  });
  const pkcs8 = Buffer.from(await crypto.subtle.exportKey('pkcs8', leafKeys.privateKey));
  return {
    leafDer: new Uint8Array(leaf.rawData),
    rootDer: new Uint8Array(root.rawData),
    rootPem: root.toString('pem'),
    privateKey: createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' }),
  };
}
