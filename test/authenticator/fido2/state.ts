/**
 * The software authenticator's persistent and volatile state, and the checks the commands share, written from
 * the CTAP 2.1 text:
 * - PIN: stored as LEFT(SHA-256(PIN), 16) with its length in code points; pinRetries starts at 8, the right PIN
 *   restores it, 0 = blocked until reset (§6.5.2.2, §6.5.5.7 "pinRetries counter").
 * - Three consecutive mismatches since power-up block PIN auth until the next power cycle (PIN_AUTH_BLOCKED).
 * - One pinUvAuthToken at a time, regenerated at power-up; permissions and an optional RP ID bound on first
 *   use; usable for 30 s after it was issued (§6.5.2.1 "initial usage time limit").
 * - Reset only within 10 s of power-up (§6.6).
 */
import { createHash, randomBytes, type KeyObject } from 'node:crypto';
import { Ctap2Status } from '../../../main/keys/hid/constants';
import { KeyAgreement, type AuthenticatorPinProtocol, protocolFor } from './pin-uv-protocols';

export const MAX_PIN_RETRIES = 8;
export const MAX_CONSECUTIVE_PIN_FAILURES = 3;
export const TOKEN_USAGE_WINDOW_MS = 30_000;
export const RESET_WINDOW_MS = 10_000;

/** Token permission bits (§6.5.5.7). */
export const Permission = { mc: 0x01, ga: 0x02, cm: 0x04, be: 0x08, lbw: 0x10, acfg: 0x20 } as const;

export interface StoredCredential {
  id: Buffer;
  rpId: string;
  userId: Uint8Array;
  user: Map<string, unknown>;
  privateKey: KeyObject;
  /** credProtect level 1..3. */
  credProtect: number;
  resident: boolean;
}

interface TokenState {
  value: Buffer;
  permissions: number;
  rpId: string | undefined;
  issuedAt: number;
  protocol: AuthenticatorPinProtocol;
}

/** A status, or OK with the protocol used. */
export type Check = { ok: true } | { ok: false; status: Ctap2Status };
const OK: Check = { ok: true };
const fail = (status: Ctap2Status): Check => ({ ok: false, status });

export class AuthenticatorState {
  pinHash: Buffer | null = null;
  pinCodePoints = 0;
  pinRetries = MAX_PIN_RETRIES;
  consecutiveFailures = 0;
  minPinLength = 4;
  forcePinChange = false;
  signCount = 0;
  readonly credentials: StoredCredential[] = [];
  readonly keyAgreement = new KeyAgreement();
  powerUpAt: number;
  private token: TokenState | undefined;

  constructor(
    readonly now: () => number,
    readonly maxResidentKeys: number,
    readonly supportedProtocols: readonly number[],
  ) {
    this.powerUpAt = now();
  }

  get pinSet(): boolean {
    return this.pinHash !== null;
  }
  get pinAuthBlocked(): boolean {
    return this.consecutiveFailures >= MAX_CONSECUTIVE_PIN_FAILURES;
  }
  get residentCount(): number {
    return this.credentials.filter((c) => c.resident).length;
  }

  /** Power-up: volatile state starts over (key agreement, token, consecutive failures); the PIN and credentials stay. */
  powerCycle(): void {
    this.consecutiveFailures = 0;
    this.keyAgreement.regenerate();
    this.token = undefined;
    this.powerUpAt = this.now();
  }

  /** authenticatorReset: everything persistent is erased. */
  factoryReset(): void {
    this.pinHash = null;
    this.pinCodePoints = 0;
    this.pinRetries = MAX_PIN_RETRIES;
    this.consecutiveFailures = 0;
    this.minPinLength = 4;
    this.forcePinChange = false;
    this.credentials.length = 0;
    this.token = undefined;
    this.keyAgreement.regenerate();
  }

  setPin(pin: Buffer): void {
    this.pinHash = createHash('sha256').update(pin).digest().subarray(0, 16);
    this.pinCodePoints = [...pin.toString('utf8')].length;
    this.pinRetries = MAX_PIN_RETRIES;
    this.consecutiveFailures = 0;
    this.forcePinChange = false;
    this.token = undefined;
  }

  /** The protocol named in a request, or the status to answer. */
  protocol(value: unknown): AuthenticatorPinProtocol | Ctap2Status {
    if (value === undefined) return Ctap2Status.MissingParameter;
    const p = protocolFor(value);
    return p && this.supportedProtocols.includes(p.version) ? p : Ctap2Status.InvalidParameter;
  }

  /**
   * Check a pinHashEnc (§6.5.5.5 changePIN / §6.5.5.7 getting a token, the shared steps): blocked checks first,
   * then the decrement, then the comparison.
   */
  verifyPinHash(protocol: AuthenticatorPinProtocol, sharedSecret: Buffer, pinHashEnc: Uint8Array): Check {
    if (!this.pinHash) return fail(Ctap2Status.PinNotSet);
    if (this.pinRetries === 0) return fail(Ctap2Status.PinBlocked);
    if (this.pinAuthBlocked) return fail(Ctap2Status.PinAuthBlocked);
    if (pinHashEnc.length !== protocol.pinHashEncLength) return fail(Ctap2Status.InvalidParameter);
    this.pinRetries--;
    const plain = protocol.decrypt(sharedSecret, pinHashEnc);
    if (!plain || !plain.subarray(0, 16).equals(this.pinHash)) {
      this.keyAgreement.regenerate();
      this.consecutiveFailures++;
      if (this.pinRetries === 0) return fail(Ctap2Status.PinBlocked);
      if (this.pinAuthBlocked) return fail(Ctap2Status.PinAuthBlocked);
      return fail(Ctap2Status.PinInvalid);
    }
    this.pinRetries = MAX_PIN_RETRIES;
    this.consecutiveFailures = 0;
    return OK;
  }

  /** Issue a new token (any older one stops working). */
  issueToken(protocol: AuthenticatorPinProtocol, permissions: number, rpId: string | undefined): Buffer {
    const value = randomBytes(32);
    this.token = { value, permissions, rpId, issuedAt: this.now(), protocol };
    return value;
  }

  dropToken(): void {
    this.token = undefined;
  }

  /**
   * Verify a pinUvAuthParam made with the current token over `message`, for `permission` on `rpId`
   * (§6.1.2 step 11 / §6.2.2 step 6: a bad MAC, an expired token, a missing permission or another RP ID all
   * answer PIN_AUTH_INVALID). An unbound token binds to `rpId` on first use.
   */
  verifyToken(protocolValue: unknown, param: Uint8Array, message: Uint8Array, permission: number, rpId: string | undefined): Check {
    const protocol = this.protocol(protocolValue);
    if (typeof protocol === 'number') return fail(protocol);
    const t = this.token;
    if (!t || t.protocol.version !== protocol.version) return fail(Ctap2Status.PinAuthInvalid);
    if (this.now() - t.issuedAt > TOKEN_USAGE_WINDOW_MS) {
      this.token = undefined;
      return fail(Ctap2Status.PinAuthInvalid);
    }
    if (!protocol.verify(t.value, message, param)) return fail(Ctap2Status.PinAuthInvalid);
    if ((t.permissions & permission) === 0) return fail(Ctap2Status.PinAuthInvalid);
    if (rpId !== undefined && t.rpId !== undefined && t.rpId !== rpId) return fail(Ctap2Status.PinAuthInvalid);
    if (rpId !== undefined) t.rpId ??= rpId;
    return OK;
  }

  /** After a user-present operation with the token: keep only lbw (§6.1.2 step 17, §6.2.2 step 11). */
  consumeTokenPermissions(): void {
    if (this.token) this.token.permissions &= Permission.lbw;
  }

  /** True within the reset window after power-up. */
  get resetAllowed(): boolean {
    return this.now() - this.powerUpAt <= RESET_WINDOW_MS;
  }
}
