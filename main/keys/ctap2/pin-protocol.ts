/**
 * PIN/UV auth protocols 1 and 2 (CTAP 2.1 §6.5.6 "PIN/UV Auth Protocol One", §6.5.7 "... Two") in node:crypto.
 * The primitives, their inputs and the test vectors are in docs/reference/ctap2-pin-protocols.md.
 *
 * | | protocol 1 | protocol 2 |
 * |---|---|---|
 * | kdf(Z) | SHA-256(Z) | HKDF-SHA-256(Z, salt 32×00, "CTAP2 HMAC key") ‖ HKDF(…, "CTAP2 AES key") |
 * | encrypt | AES-256-CBC, IV 16×00 | AES-256-CBC with key[32..], random IV, output IV ‖ ct |
 * | authenticate | HMAC-SHA-256 truncated to 16 bytes | HMAC-SHA-256 with key[0..32], 32 bytes |
 */
import { createCipheriv, createDecipheriv, createECDH, createHash, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { Ctap2ResponseError } from './status';
import type { CborMap } from './session';

/** PIN/UV auth protocol numbers (getInfo pinUvAuthProtocols, clientPIN key 0x01). */
export enum PinUvAuthProtocolVersion {
  One = 1,
  Two = 2,
}

/** COSE_Key labels and values of the key-agreement key. */
export enum CoseKeyLabel {
  Kty = 1,
  Alg = 3,
  Crv = -1,
  X = -2,
  Y = -3,
}
const COSE_KTY_EC2 = 2;
const COSE_CRV_P256 = 1;
/** ECDH-ES+HKDF-256: the alg CTAP2 requires in the platform's key (not the algorithm really used). */
export const COSE_ALG_ECDH_ES_HKDF_256 = -25;

const ZERO_IV = Buffer.alloc(16);
const HKDF_SALT = Buffer.alloc(32);

/** Overwrite a buffer that held secret material. */
export function wipe(...buffers: (Uint8Array | undefined)[]): void {
  for (const b of buffers) b?.fill(0);
}

/** The result of key agreement: our public key for the request and the shared secret (wipe after use). */
export interface Encapsulation {
  /** Our ephemeral public key as a COSE_Key map (request key 0x03). */
  keyAgreement: CborMap;
  sharedSecret: Buffer;
}

export interface PinUvAuthProtocol {
  readonly version: PinUvAuthProtocolVersion;
  /**
   * ECDH with the authenticator's key-agreement key, then kdf.
   * @param platformPrivateKey fixed private key for test vectors; a fresh one otherwise
   */
  encapsulate(peer: CborMap, platformPrivateKey?: Uint8Array): Encapsulation;
  kdf(z: Uint8Array): Buffer;
  encrypt(key: Uint8Array, plaintext: Uint8Array, iv?: Uint8Array): Buffer;
  decrypt(key: Uint8Array, ciphertext: Uint8Array): Buffer;
  authenticate(key: Uint8Array, message: Uint8Array): Buffer;
  /** Length of an authenticate() output (16 or 32). */
  readonly authLength: number;
  /** Check a decrypted pinUvAuthToken's length. @throws Ctap2ResponseError */
  checkToken(token: Uint8Array): void;
}

/** Read and check the authenticator's COSE key (P-256, 32-byte coordinates) into an uncompressed point. */
export function peerPoint(peer: CborMap): Buffer {
  const x = peer.get(CoseKeyLabel.X);
  const y = peer.get(CoseKeyLabel.Y);
  if (peer.get(CoseKeyLabel.Kty) !== COSE_KTY_EC2 || peer.get(CoseKeyLabel.Crv) !== COSE_CRV_P256) {
    throw new Ctap2ResponseError('the key-agreement key is not an EC2 P-256 key');
  }
  if (!(x instanceof Uint8Array) || x.length !== 32 || !(y instanceof Uint8Array) || y.length !== 32) {
    throw new Ctap2ResponseError('the key-agreement key coordinates are not 32-byte strings');
  }
  return Buffer.concat([Uint8Array.of(0x04), x, y]);
}

/** A P-256 public point (0x04 ‖ x ‖ y) as the COSE_Key CTAP2 expects for key agreement. */
export function coseKeyAgreement(point: Uint8Array): CborMap {
  return new Map<number, unknown>([
    [CoseKeyLabel.Kty, COSE_KTY_EC2],
    [CoseKeyLabel.Alg, COSE_ALG_ECDH_ES_HKDF_256],
    [CoseKeyLabel.Crv, COSE_CRV_P256],
    [CoseKeyLabel.X, Uint8Array.from(point.subarray(1, 33))],
    [CoseKeyLabel.Y, Uint8Array.from(point.subarray(33, 65))],
  ]);
}

function cbc(mode: 'enc' | 'dec', key: Uint8Array, iv: Uint8Array, data: Uint8Array): Buffer {
  if (data.length % 16 !== 0) throw new Ctap2ResponseError(`AES-CBC data of ${data.length} bytes is not a whole number of blocks`);
  const c = mode === 'enc' ? createCipheriv('aes-256-cbc', key, iv) : createDecipheriv('aes-256-cbc', key, iv);
  c.setAutoPadding(false);
  return Buffer.concat([c.update(data), c.final()]);
}

abstract class BaseProtocol implements PinUvAuthProtocol {
  abstract readonly version: PinUvAuthProtocolVersion;
  abstract readonly authLength: number;
  abstract kdf(z: Uint8Array): Buffer;
  abstract encrypt(key: Uint8Array, plaintext: Uint8Array, iv?: Uint8Array): Buffer;
  abstract decrypt(key: Uint8Array, ciphertext: Uint8Array): Buffer;
  abstract authenticate(key: Uint8Array, message: Uint8Array): Buffer;
  abstract checkToken(token: Uint8Array): void;

  encapsulate(peer: CborMap, platformPrivateKey?: Uint8Array): Encapsulation {
    const ecdh = createECDH('prime256v1');
    if (platformPrivateKey) ecdh.setPrivateKey(platformPrivateKey);
    else ecdh.generateKeys();
    // Z is the 32-byte x-coordinate, leading zeros kept (computeSecret returns it fixed-length).
    const z = ecdh.computeSecret(peerPoint(peer));
    try {
      return { keyAgreement: coseKeyAgreement(ecdh.getPublicKey()), sharedSecret: this.kdf(z) };
    } finally {
      wipe(z);
    }
  }
}

/** PIN/UV auth protocol 1 (CTAP 2.0 and 2.1). */
export class PinProtocolOne extends BaseProtocol {
  readonly version = PinUvAuthProtocolVersion.One;
  readonly authLength = 16;
  kdf(z: Uint8Array): Buffer {
    return createHash('sha256').update(z).digest();
  }
  encrypt(key: Uint8Array, plaintext: Uint8Array): Buffer {
    return cbc('enc', key, ZERO_IV, plaintext);
  }
  decrypt(key: Uint8Array, ciphertext: Uint8Array): Buffer {
    return cbc('dec', key, ZERO_IV, ciphertext);
  }
  authenticate(key: Uint8Array, message: Uint8Array): Buffer {
    return createHmac('sha256', key).update(message).digest().subarray(0, 16);
  }
  checkToken(token: Uint8Array): void {
    if (token.length !== 16 && token.length !== 32) throw new Ctap2ResponseError(`protocol 1 token of ${token.length} bytes`);
  }
}

/** PIN/UV auth protocol 2 (CTAP 2.1). */
export class PinProtocolTwo extends BaseProtocol {
  readonly version = PinUvAuthProtocolVersion.Two;
  readonly authLength = 32;
  kdf(z: Uint8Array): Buffer {
    const hmacKey = Buffer.from(hkdfSync('sha256', z, HKDF_SALT, 'CTAP2 HMAC key', 32));
    const aesKey = Buffer.from(hkdfSync('sha256', z, HKDF_SALT, 'CTAP2 AES key', 32));
    return Buffer.concat([hmacKey, aesKey]);
  }
  encrypt(key: Uint8Array, plaintext: Uint8Array, iv: Uint8Array = randomBytes(16)): Buffer {
    return Buffer.concat([iv, cbc('enc', aesKey(key), iv, plaintext)]);
  }
  decrypt(key: Uint8Array, ciphertext: Uint8Array): Buffer {
    if (ciphertext.length < 16) throw new Ctap2ResponseError('protocol 2 ciphertext shorter than its IV');
    return cbc('dec', aesKey(key), ciphertext.subarray(0, 16), ciphertext.subarray(16));
  }
  authenticate(key: Uint8Array, message: Uint8Array): Buffer {
    // A pinUvAuthToken is 32 bytes (the whole key); a shared secret is 64 (HMAC key first).
    return createHmac('sha256', key.subarray(0, 32)).update(message).digest();
  }
  checkToken(token: Uint8Array): void {
    if (token.length !== 32) throw new Ctap2ResponseError(`protocol 2 token of ${token.length} bytes, expected 32`);
  }
}

function aesKey(key: Uint8Array): Uint8Array {
  // The shared secret carries the AES key in its second half; a token (32 bytes) is never used to encrypt.
  return key.length === 64 ? key.subarray(32) : key;
}

/** The protocol object for a version number. */
export function pinProtocol(version: PinUvAuthProtocolVersion): PinUvAuthProtocol {
  return version === PinUvAuthProtocolVersion.Two ? new PinProtocolTwo() : new PinProtocolOne();
}

/**
 * The protocol to use with a key: the first one it lists that we support (CTAP 2.1 §6.5.5.4 "SHOULD select the
 * one listed first"); protocol 1 when it lists none (a CTAP 2.0 key).
 */
export function choosePinProtocol(listed: readonly number[] | undefined): PinUvAuthProtocolVersion {
  for (const v of listed ?? [PinUvAuthProtocolVersion.One]) {
    if (v === PinUvAuthProtocolVersion.One || v === PinUvAuthProtocolVersion.Two) return v;
  }
  return PinUvAuthProtocolVersion.One;
}
