/**
 * authenticatorClientPIN (0x06), CTAP 2.1 §6.5.5: retries, key agreement, setting and changing the PIN, and
 * getting a pinUvAuthToken. Request keys, sub-commands and the message each MAC covers are in
 * docs/reference/ctap2-pin-protocols.md.
 *
 * PINs are passed as UTF-8 bytes (`encodePin`); the caller owns that buffer and wipes it. Every buffer
 * derived from a PIN here (the padded PIN, its hash, the shared secret) is overwritten before returning,
 * and no error message is built from a PIN.
 */
import { createHash } from 'node:crypto';
import { Ctap2Command } from './constants';
import { type PinUvAuthProtocol, type PinUvAuthProtocolVersion, pinProtocol, wipe } from './pin-protocol';
import { type CborMap, type Ctap2CallOptions, type Ctap2Session, optionalBool, requiredBytes, requiredMap, requiredUint } from './session';
import { Ctap2Error, Ctap2Status } from './status';

export enum ClientPinSubCommand {
  GetPinRetries = 0x01,
  GetKeyAgreement = 0x02,
  SetPin = 0x03,
  ChangePin = 0x04,
  GetPinToken = 0x05,
  GetPinUvAuthTokenUsingUvWithPermissions = 0x06,
  GetUvRetries = 0x07,
  GetPinUvAuthTokenUsingPinWithPermissions = 0x09,
}

export enum ClientPinRequestKey {
  PinUvAuthProtocol = 0x01,
  SubCommand = 0x02,
  KeyAgreement = 0x03,
  PinUvAuthParam = 0x04,
  NewPinEnc = 0x05,
  PinHashEnc = 0x06,
  Permissions = 0x09,
  RpId = 0x0a,
}

export enum ClientPinResponseKey {
  KeyAgreement = 0x01,
  PinUvAuthToken = 0x02,
  PinRetries = 0x03,
  PowerCycleState = 0x04,
  UvRetries = 0x05,
}

/** pinUvAuthToken permissions (CTAP 2.1 §6.5.5.7). */
export enum PinPermission {
  MakeCredential = 0x01,
  GetAssertion = 0x02,
  CredentialManagement = 0x04,
  BioEnrollment = 0x08,
  LargeBlobWrite = 0x10,
  AuthenticatorConfig = 0x20,
}

/** Shortest PIN CTAP allows (code points) and longest (UTF-8 bytes); the padded block is 64 bytes. */
export const MIN_PIN_LENGTH = 4;
export const MAX_PIN_BYTES = 63;
const PADDED_PIN_BYTES = 64;

/** The PIN as CTAP sends it: UTF-8 of the NFC-normalised string. The caller wipes the result after use. */
export function encodePin(pin: string): Uint8Array {
  return new Uint8Array(Buffer.from(pin.normalize('NFC'), 'utf8'));
}

/** Why a PIN is refused before it is sent. */
export type PinLengthProblem = 'too-short' | 'too-long';

/**
 * Check a new PIN's length against the key's minimum (getInfo minPINLength, at least 4 code points) and
 * CTAP's 63-byte maximum, client-side: some keys accept longer PINs than the spec allows.
 */
export function checkPinLength(pin: Uint8Array, minPinLength = MIN_PIN_LENGTH): PinLengthProblem | null {
  if (pin.length > MAX_PIN_BYTES) return 'too-long';
  const codePoints = [...Buffer.from(pin.buffer, pin.byteOffset, pin.byteLength).toString('utf8')].length;
  if (codePoints < Math.max(MIN_PIN_LENGTH, minPinLength)) return 'too-short';
  return null;
}

/** A pinUvAuthToken: MACs requests for `permissions`. Wipe it when done. */
export class PinUvAuthToken {
  constructor(
    readonly protocol: PinUvAuthProtocol,
    private readonly token: Buffer,
    readonly permissions: number,
    readonly rpId: string | undefined,
  ) {}
  /** pinUvAuthParam over `message` (clientDataHash for makeCredential/getAssertion). */
  authenticate(message: Uint8Array): Buffer {
    return this.protocol.authenticate(this.token, message);
  }
  wipe(): void {
    wipe(this.token);
  }
}

export interface PinRetries {
  retries: number;
  /** CTAP 2.1: true while the key needs to be unplugged and plugged back in before another PIN attempt. */
  powerCycleState: boolean | undefined;
}

/** The clientPIN command for one PIN/UV auth protocol. */
export class ClientPin {
  readonly protocol: PinUvAuthProtocol;

  constructor(
    private readonly session: Ctap2Session,
    protocol: PinUvAuthProtocolVersion | PinUvAuthProtocol,
  ) {
    this.protocol = typeof protocol === 'number' ? pinProtocol(protocol) : protocol;
  }

  private call(sub: ClientPinSubCommand, params: [ClientPinRequestKey, unknown][], options?: Ctap2CallOptions): Promise<CborMap> {
    const map = new Map<number, unknown>([[ClientPinRequestKey.PinUvAuthProtocol, this.protocol.version], [ClientPinRequestKey.SubCommand, sub], ...params]);
    return this.session.call(Ctap2Command.clientPin, map, options);
  }

  /** getPINRetries (0x01). A key without a PIN may answer PIN_NOT_SET (Ctap2Error). */
  async getPinRetries(options?: Ctap2CallOptions): Promise<PinRetries> {
    const r = await this.call(ClientPinSubCommand.GetPinRetries, [], options);
    return {
      retries: requiredUint(r, ClientPinResponseKey.PinRetries, 'pinRetries'),
      powerCycleState: optionalBool(r, ClientPinResponseKey.PowerCycleState, 'powerCycleState'),
    };
  }

  /** getUVRetries (0x07): built-in user verification attempts left. */
  async getUvRetries(options?: Ctap2CallOptions): Promise<number> {
    const r = await this.call(ClientPinSubCommand.GetUvRetries, [], options);
    return requiredUint(r, ClientPinResponseKey.UvRetries, 'uvRetries');
  }

  /** getKeyAgreement (0x02): the authenticator's current key-agreement public key (COSE_Key). */
  async getKeyAgreement(options?: Ctap2CallOptions): Promise<CborMap> {
    const r = await this.call(ClientPinSubCommand.GetKeyAgreement, [], options);
    return requiredMap(r, ClientPinResponseKey.KeyAgreement, 'keyAgreement');
  }

  /** setPIN (0x03): only when the key has no PIN. @throws Ctap2Error PIN_POLICY_VIOLATION, PIN_AUTH_INVALID, NOT_ALLOWED */
  async setPin(newPin: Uint8Array, options?: Ctap2CallOptions): Promise<void> {
    const { keyAgreement, sharedSecret } = this.protocol.encapsulate(await this.getKeyAgreement(options));
    const padded = padPin(newPin);
    try {
      const newPinEnc = this.protocol.encrypt(sharedSecret, padded);
      await this.call(
        ClientPinSubCommand.SetPin,
        [
          [ClientPinRequestKey.KeyAgreement, keyAgreement],
          [ClientPinRequestKey.PinUvAuthParam, this.protocol.authenticate(sharedSecret, newPinEnc)],
          [ClientPinRequestKey.NewPinEnc, newPinEnc],
        ],
        options,
      );
    } finally {
      wipe(padded, sharedSecret);
    }
  }

  /**
   * changePIN (0x04). A wrong current PIN → Ctap2Error PIN_INVALID with `pinRetries` (asked right after);
   * PIN_AUTH_BLOCKED, PIN_BLOCKED, PIN_POLICY_VIOLATION as the key says.
   */
  async changePin(currentPin: Uint8Array, newPin: Uint8Array, options?: Ctap2CallOptions): Promise<void> {
    const { keyAgreement, sharedSecret } = this.protocol.encapsulate(await this.getKeyAgreement(options));
    const padded = padPin(newPin);
    const hash = pinHash(currentPin);
    try {
      const pinHashEnc = this.protocol.encrypt(sharedSecret, hash);
      const newPinEnc = this.protocol.encrypt(sharedSecret, padded);
      const param = this.protocol.authenticate(sharedSecret, Buffer.concat([newPinEnc, pinHashEnc]));
      await this.withRetries(() =>
        this.call(
          ClientPinSubCommand.ChangePin,
          [
            [ClientPinRequestKey.KeyAgreement, keyAgreement],
            [ClientPinRequestKey.PinUvAuthParam, param],
            [ClientPinRequestKey.NewPinEnc, newPinEnc],
            [ClientPinRequestKey.PinHashEnc, pinHashEnc],
          ],
          options,
        ),
      );
    } finally {
      wipe(padded, hash, sharedSecret);
    }
  }

  /** getPinToken (0x05, CTAP 2.0 / protocol 1 keys): a token with makeCredential and getAssertion rights. */
  getPinToken(pin: Uint8Array, options?: Ctap2CallOptions): Promise<PinUvAuthToken> {
    return this.token(ClientPinSubCommand.GetPinToken, pin, 0, undefined, options);
  }

  /**
   * getPinUvAuthTokenUsingPinWithPermissions (0x09, CTAP 2.1). `rpId` is required with mc or ga.
   * @throws Ctap2Error PIN_INVALID (with pinRetries), PIN_AUTH_BLOCKED, PIN_BLOCKED, UNAUTHORIZED_PERMISSION
   */
  getPinUvAuthTokenUsingPin(pin: Uint8Array, permissions: number, rpId?: string, options?: Ctap2CallOptions): Promise<PinUvAuthToken> {
    if (permissions === 0) throw new RangeError('a pinUvAuthToken needs at least one permission');
    return this.token(ClientPinSubCommand.GetPinUvAuthTokenUsingPinWithPermissions, pin, permissions, rpId, options);
  }

  private async token(
    sub: ClientPinSubCommand,
    pin: Uint8Array,
    permissions: number,
    rpId: string | undefined,
    options?: Ctap2CallOptions,
  ): Promise<PinUvAuthToken> {
    const { keyAgreement, sharedSecret } = this.protocol.encapsulate(await this.getKeyAgreement(options));
    const hash = pinHash(pin);
    try {
      const params: [ClientPinRequestKey, unknown][] = [
        [ClientPinRequestKey.KeyAgreement, keyAgreement],
        [ClientPinRequestKey.PinHashEnc, this.protocol.encrypt(sharedSecret, hash)],
      ];
      if (sub === ClientPinSubCommand.GetPinUvAuthTokenUsingPinWithPermissions) {
        params.push([ClientPinRequestKey.Permissions, permissions]);
        if (rpId !== undefined) params.push([ClientPinRequestKey.RpId, rpId]);
      }
      const r = await this.withRetries(() => this.call(sub, params, options));
      const token = this.protocol.decrypt(sharedSecret, requiredBytes(r, ClientPinResponseKey.PinUvAuthToken, 'pinUvAuthToken'));
      this.protocol.checkToken(token);
      const granted = sub === ClientPinSubCommand.GetPinToken ? PinPermission.MakeCredential | PinPermission.GetAssertion : permissions;
      return new PinUvAuthToken(this.protocol, token, granted, rpId);
    } finally {
      wipe(hash, sharedSecret);
    }
  }

  /** On PIN_INVALID, ask how many tries are left and attach that to the error. */
  private async withRetries(run: () => Promise<CborMap>): Promise<CborMap> {
    try {
      return await run();
    } catch (e) {
      if (!(e instanceof Ctap2Error) || e.status !== Ctap2Status.PinInvalid) throw e;
      const left = await this.getPinRetries().then(
        (r) => r.retries,
        () => undefined,
      );
      throw left === undefined ? e : e.withPinRetries(left);
    }
  }
}

/** LEFT(SHA-256(pin), 16): what pinHashEnc encrypts. */
function pinHash(pin: Uint8Array): Buffer {
  const digest = createHash('sha256').update(pin).digest();
  const left = Buffer.from(digest.subarray(0, 16));
  wipe(digest);
  return left;
}

/** The PIN zero-padded to exactly 64 bytes (CTAP 2.1 keys refuse other lengths). */
function padPin(pin: Uint8Array): Buffer {
  if (pin.length > MAX_PIN_BYTES) throw new RangeError(`a PIN is at most ${MAX_PIN_BYTES} bytes`);
  if (pin.length < MIN_PIN_LENGTH) throw new RangeError(`a PIN is at least ${MIN_PIN_LENGTH} bytes`);
  const padded = Buffer.alloc(PADDED_PIN_BYTES);
  padded.set(pin);
  return padded;
}

/** Exposed for the protocol test vectors. */
export const pinEncoding = { pinHash, padPin };
