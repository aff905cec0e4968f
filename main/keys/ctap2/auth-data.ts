/**
 * Authenticator data (WebAuthn §6.1; layout in docs/reference/ctap2-commands.md) and COSE credential keys.
 *
 * rpIdHash(32) ‖ flags(1) ‖ signCount(4, big-endian) ‖ [aaguid(16) ‖ credIdLen(2) ‖ credId ‖ COSE key] ‖ [extensions].
 */
import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { decodeFirst } from 'cborg';
import { formatAaguid, DECODE_OPTIONS } from './info';
import { Ctap2ResponseError } from './status';
import type { CborMap } from './session';

export enum AuthDataFlag {
  UserPresent = 0x01,
  UserVerified = 0x04,
  BackupEligible = 0x08,
  BackedUp = 0x10,
  AttestedCredentialData = 0x40,
  ExtensionData = 0x80,
}

/** COSE algorithm identifiers the kiosk asks keys for (IANA COSE Algorithms). */
export enum CoseAlgorithm {
  ES256 = -7,
  EdDSA = -8,
  ES384 = -35,
  RS256 = -257,
}

export interface AttestedCredential {
  /** Lowercase dashed. */
  aaguid: string;
  credentialId: Uint8Array;
  /** The COSE_Key as decoded. */
  publicKey: CborMap;
  /** The COSE_Key's bytes as they appear in authData. */
  publicKeyBytes: Uint8Array;
}

export interface AuthData {
  rpIdHash: Uint8Array;
  flags: number;
  signCount: number;
  attested: AttestedCredential | undefined;
  extensions: CborMap | undefined;
}

/** Parse authenticator data. @throws Ctap2ResponseError */
export function parseAuthData(bytes: Uint8Array): AuthData {
  if (bytes.length < 37) throw new Ctap2ResponseError(`authData of ${bytes.length} bytes is shorter than 37`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const flags = bytes[32] ?? 0;
  let rest = bytes.subarray(37);
  let attested: AttestedCredential | undefined;
  if (flags & AuthDataFlag.AttestedCredentialData) {
    if (rest.length < 18) throw new Ctap2ResponseError('authData: attested credential data truncated');
    const idLength = view.getUint16(53);
    if (rest.length < 18 + idLength) throw new Ctap2ResponseError('authData: credential id truncated');
    const credentialId = Uint8Array.from(rest.subarray(18, 18 + idLength));
    const keyStart = rest.subarray(18 + idLength);
    const [publicKey, after] = first(keyStart, 'credential public key');
    if (!(publicKey instanceof Map)) throw new Ctap2ResponseError('authData: credential public key is not a map');
    attested = {
      aaguid: formatAaguid(rest.subarray(0, 16)),
      credentialId,
      publicKey: publicKey as CborMap,
      publicKeyBytes: Uint8Array.from(keyStart.subarray(0, keyStart.length - after.length)),
    };
    rest = after;
  }
  let extensions: CborMap | undefined;
  if (flags & AuthDataFlag.ExtensionData) {
    const [ext, after] = first(rest, 'extensions');
    if (!(ext instanceof Map)) throw new Ctap2ResponseError('authData: extensions are not a map');
    extensions = ext as CborMap;
    rest = after;
  }
  if (rest.length !== 0) throw new Ctap2ResponseError(`authData: ${rest.length} trailing bytes`);
  return { rpIdHash: Uint8Array.from(bytes.subarray(0, 32)), flags, signCount: view.getUint32(33), attested, extensions };
}

function first(bytes: Uint8Array, what: string): [unknown, Uint8Array] {
  try {
    return decodeFirst(bytes, DECODE_OPTIONS) as [unknown, Uint8Array];
  } catch (cause) {
    throw new Ctap2ResponseError(`authData: ${what} is not valid CBOR`, { cause });
  }
}

/** A COSE EC2 P-256 (ES256) or OKP Ed25519 (EdDSA) public key as a node KeyObject. @throws Ctap2ResponseError */
export function coseToKeyObject(cose: CborMap): KeyObject {
  const kty = cose.get(1);
  const x = cose.get(-2);
  const b64 = (b: unknown): string => Buffer.from(b as Uint8Array).toString('base64url');
  if (kty === 2 && cose.get(-1) === 1 && x instanceof Uint8Array && cose.get(-3) instanceof Uint8Array) {
    return createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: b64(x), y: b64(cose.get(-3)) }, format: 'jwk' });
  }
  if (kty === 1 && cose.get(-1) === 6 && x instanceof Uint8Array) {
    return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: b64(x) }, format: 'jwk' });
  }
  throw new Ctap2ResponseError('unsupported COSE key (only ES256 P-256 and EdDSA Ed25519)');
}

/**
 * Check an assertion or self-attestation signature over authData ‖ clientDataHash with a COSE public key
 * (ECDSA signatures DER-encoded, as CTAP2 sends them).
 */
export function verifySignature(cose: CborMap, authData: Uint8Array, clientDataHash: Uint8Array, signature: Uint8Array): boolean {
  const key = coseToKeyObject(cose);
  const data = Buffer.concat([authData, clientDataHash]);
  return verify(key.asymmetricKeyType === 'ed25519' ? null : 'sha256', data, key, signature);
}
