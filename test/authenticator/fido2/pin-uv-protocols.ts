/**
 * The authenticator's side of PIN/UV auth protocols 1 and 2, written from the CTAP 2.1 text (§6.5.6, §6.5.7)
 * and independent of the client's main/keys/ctap2/pin-protocol.ts: HKDF is spelled out as RFC 5869
 * extract-and-expand over HMAC here, so a shared mistake in the two would have to be made twice.
 */
import { createCipheriv, createDecipheriv, createECDH, createHash, createHmac, randomBytes, timingSafeEqual, type ECDH } from 'node:crypto';

export interface AuthenticatorPinProtocol {
  readonly version: 1 | 2;
  /** Z → shared secret (32 bytes for 1; 64 for 2: HMAC key ‖ AES key). */
  kdf(z: Buffer): Buffer;
  /** Decrypt a host ciphertext; null when its length is not acceptable. */
  decrypt(sharedSecret: Buffer, ciphertext: Uint8Array): Buffer | null;
  /** Encrypt for the host (the token, in getPinToken responses). */
  encrypt(sharedSecret: Buffer, plaintext: Buffer): Buffer;
  /** verify(key, message, signature) with the protocol's MAC length. */
  verify(key: Buffer, message: Uint8Array, signature: Uint8Array): boolean;
  /** Bytes of an encrypted PIN block (64 + IV for protocol 2). */
  readonly newPinEncLength: number;
  readonly pinHashEncLength: number;
}

function hmac(key: Uint8Array, ...parts: Uint8Array[]): Buffer {
  const h = createHmac('sha256', key);
  for (const p of parts) h.update(p);
  return h.digest();
}

/** RFC 5869 HKDF-SHA-256 with a 32-byte output (one expand block: T(1) = HMAC(PRK, info ‖ 0x01)). */
function hkdf32(ikm: Buffer, info: string): Buffer {
  const prk = hmac(Buffer.alloc(32), ikm);
  return hmac(prk, Buffer.from(info, 'ascii'), Uint8Array.of(1));
}

function aesCbc(decrypting: boolean, key: Buffer, iv: Buffer, data: Uint8Array): Buffer {
  const c = decrypting ? createDecipheriv('aes-256-cbc', key, iv) : createCipheriv('aes-256-cbc', key, iv);
  c.setAutoPadding(false);
  return Buffer.concat([c.update(data), c.final()]);
}

function macEquals(expected: Buffer, got: Uint8Array): boolean {
  return expected.length === got.length && timingSafeEqual(expected, got);
}

export const protocolOne: AuthenticatorPinProtocol = {
  version: 1,
  newPinEncLength: 64,
  pinHashEncLength: 16,
  kdf: (z) => createHash('sha256').update(z).digest(),
  decrypt: (ss, ct) => (ct.length % 16 === 0 && ct.length > 0 ? aesCbc(true, ss, Buffer.alloc(16), ct) : null),
  encrypt: (ss, pt) => aesCbc(false, ss, Buffer.alloc(16), pt),
  verify: (key, message, signature) => macEquals(hmac(key, message).subarray(0, 16), signature),
};

export const protocolTwo: AuthenticatorPinProtocol = {
  version: 2,
  newPinEncLength: 80,
  pinHashEncLength: 32,
  kdf: (z) => Buffer.concat([hkdf32(z, 'CTAP2 HMAC key'), hkdf32(z, 'CTAP2 AES key')]),
  decrypt: (ss, ct) => {
    if (ct.length < 32 || ct.length % 16 !== 0) return null;
    return aesCbc(true, ss.subarray(32), Buffer.from(ct.subarray(0, 16)), ct.subarray(16));
  },
  encrypt: (ss, pt) => {
    const iv = randomBytes(16);
    return Buffer.concat([iv, aesCbc(false, ss.subarray(32), iv, pt)]);
  },
  // §6.5.7 verify(key, message, signature): "If key is a pinUvAuthToken, use it as the HMAC key; else use
  // the first 32 bytes (the HMAC key) of the shared secret". Both are covered by taking the first 32 bytes.
  verify: (key, message, signature) => macEquals(hmac(key.subarray(0, 32), message), signature),
};

export function protocolFor(version: unknown): AuthenticatorPinProtocol | undefined {
  return version === 1 ? protocolOne : version === 2 ? protocolTwo : undefined;
}

/** The authenticator's key-agreement key pair, regenerated at power-up and after a PIN mismatch. */
export class KeyAgreement {
  private ecdh: ECDH = KeyAgreement.fresh();
  private static fresh(): ECDH {
    const e = createECDH('prime256v1');
    e.generateKeys();
    return e;
  }
  regenerate(): void {
    this.ecdh = KeyAgreement.fresh();
  }
  /** COSE_Key {1: 2, 3: -25, -1: 1, -2: x, -3: y}. */
  publicCose(): Map<number, unknown> {
    const p = this.ecdh.getPublicKey();
    return new Map<number, unknown>([
      [1, 2],
      [3, -25],
      [-1, 1],
      [-2, p.subarray(1, 33)],
      [-3, p.subarray(33, 65)],
    ]);
  }
  /** ECDH with the platform's COSE key; null when it is not a valid P-256 point. */
  sharedZ(platform: unknown): Buffer | null {
    if (!(platform instanceof Map)) return null;
    const x = platform.get(-2) as unknown;
    const y = platform.get(-3) as unknown;
    if (!(x instanceof Uint8Array) || !(y instanceof Uint8Array) || x.length !== 32 || y.length !== 32) return null;
    try {
      return this.ecdh.computeSecret(Buffer.concat([Uint8Array.of(4), x, y]));
    } catch {
      return null;
    }
  }
}
