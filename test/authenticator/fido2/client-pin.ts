/**
 * authenticatorClientPIN on the software authenticator (CTAP 2.1 §6.5.5), independent of the client.
 */
import { Ctap2Status } from '../../../main/keys/hid/constants';
import type { AuthenticatorPinProtocol } from './pin-uv-protocols';
import { type AuthenticatorState, Permission } from './state';
import { bytesOf, ok, refuse, textOf, uintOf } from './wire';

const MAX_PIN_BYTES = 63;

export interface ClientPinOptions {
  /** Built-in UV retries; undefined = no built-in UV (getUVRetries and 0x06 answer INVALID_SUBCOMMAND). */
  uvRetries: number | undefined;
  /** Whether the key speaks CTAP 2.1 tokens (getInfo option pinUvAuthToken): 0x09 exists. */
  pinUvAuthToken: boolean;
}

export function clientPin(state: AuthenticatorState, p: Map<number, unknown>, options: ClientPinOptions): Uint8Array {
  const sub = uintOf(p.get(2), true);
  const protocol = state.protocol(p.get(1));
  if (typeof protocol === 'number') return refuse(protocol);
  switch (sub) {
    case 0x01: // getPINRetries
      return ok(
        new Map<number, unknown>([
          [3, state.pinRetries],
          [4, state.pinAuthBlocked],
        ]),
      );
    case 0x02: // getKeyAgreement
      return ok(new Map([[1, state.keyAgreement.publicCose()]]));
    case 0x03:
      return setPin(state, protocol, p);
    case 0x04:
      return changePin(state, protocol, p);
    case 0x05:
      if (p.get(9) !== undefined || p.get(10) !== undefined) refuse(Ctap2Status.InvalidParameter);
      return token(state, protocol, p, Permission.mc | Permission.ga, undefined);
    case 0x09: {
      if (!options.pinUvAuthToken) refuse(Ctap2Status.InvalidSubcommand);
      const permissions = uintOf(p.get(9), true) ?? 0;
      const rpId = textOf(p.get(10), false);
      if (permissions === 0) refuse(Ctap2Status.InvalidParameter);
      if (permissions & ~(Permission.mc | Permission.ga | Permission.acfg | Permission.cm)) refuse(Ctap2Status.UnauthorizedPermission);
      if (permissions & (Permission.mc | Permission.ga) && rpId === undefined) refuse(Ctap2Status.InvalidParameter);
      return token(state, protocol, p, permissions, rpId);
    }
    case 0x07:
      if (options.uvRetries === undefined) refuse(Ctap2Status.InvalidSubcommand);
      return ok(new Map([[5, options.uvRetries]]));
    default:
      return refuse(Ctap2Status.InvalidSubcommand);
  }
}

/** Shared secret from request key 3, or the status to answer. */
function agree(state: AuthenticatorState, protocol: AuthenticatorPinProtocol, p: Map<number, unknown>): Buffer {
  if (p.get(3) === undefined) refuse(Ctap2Status.MissingParameter);
  const z = state.keyAgreement.sharedZ(p.get(3));
  if (!z) refuse(Ctap2Status.InvalidParameter);
  return protocol.kdf(z);
}

/** Decrypt newPinEnc and check it against the policy (§6.5.5.5 steps "newPinEnc"). */
function newPin(state: AuthenticatorState, protocol: AuthenticatorPinProtocol, shared: Buffer, newPinEnc: Uint8Array): Buffer {
  if (newPinEnc.length !== protocol.newPinEncLength) refuse(Ctap2Status.InvalidParameter);
  const padded = protocol.decrypt(shared, newPinEnc);
  if (!padded || padded.length !== 64) refuse(Ctap2Status.InvalidParameter);
  let end = padded.indexOf(0);
  if (end < 0) end = padded.length;
  if (padded.subarray(end).some((b) => b !== 0)) refuse(Ctap2Status.PinPolicyViolation);
  const pin = Buffer.from(padded.subarray(0, end));
  if (pin.length > MAX_PIN_BYTES || [...pin.toString('utf8')].length < state.minPinLength) refuse(Ctap2Status.PinPolicyViolation);
  return pin;
}

function setPin(state: AuthenticatorState, protocol: AuthenticatorPinProtocol, p: Map<number, unknown>): Uint8Array {
  const param = bytesOf(p.get(4), true)!;
  const newPinEnc = bytesOf(p.get(5), true)!;
  const shared = agree(state, protocol, p);
  // "If a PIN has already been set, authenticator returns CTAP2_ERR_PIN_AUTH_INVALID error."
  if (state.pinSet) refuse(Ctap2Status.PinAuthInvalid);
  if (!protocol.verify(shared, newPinEnc, param)) refuse(Ctap2Status.PinAuthInvalid);
  state.setPin(newPin(state, protocol, shared, newPinEnc));
  return ok();
}

function changePin(state: AuthenticatorState, protocol: AuthenticatorPinProtocol, p: Map<number, unknown>): Uint8Array {
  const param = bytesOf(p.get(4), true)!;
  const newPinEnc = bytesOf(p.get(5), true)!;
  const pinHashEnc = bytesOf(p.get(6), true)!;
  const shared = agree(state, protocol, p);
  if (!state.pinSet) refuse(Ctap2Status.PinNotSet);
  if (state.pinRetries === 0) refuse(Ctap2Status.PinBlocked);
  if (!protocol.verify(shared, Buffer.concat([newPinEnc, pinHashEnc]), param)) refuse(Ctap2Status.PinAuthInvalid);
  const check = state.verifyPinHash(protocol, shared, pinHashEnc);
  if (!check.ok) refuse(check.status);
  const pin = newPin(state, protocol, shared, newPinEnc);
  state.setPin(pin);
  return ok();
}

function token(
  state: AuthenticatorState,
  protocol: AuthenticatorPinProtocol,
  p: Map<number, unknown>,
  permissions: number,
  rpId: string | undefined,
): Uint8Array {
  const pinHashEnc = bytesOf(p.get(6), true)!;
  const shared = agree(state, protocol, p);
  const check = state.verifyPinHash(protocol, shared, pinHashEnc);
  if (!check.ok) refuse(check.status);
  // While forcePINChange is set the right PIN still gets no token (OpenSK client_pin.rs; libfido2's man page:
  // PIN attempts "will fail until its PIN is changed").
  if (state.forcePinChange) refuse(Ctap2Status.PinInvalid);
  const value = state.issueToken(protocol, permissions, rpId);
  return ok(new Map([[2, protocol.encrypt(shared, value)]]));
}
