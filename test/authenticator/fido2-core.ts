/**
 * A CTAP 2.1 core for the software authenticator: clientPIN, makeCredential, getAssertion,
 * authenticatorConfig (setMinPINLength / forceChangePin) and reset, implemented from the specification
 * independently of the client in main/keys/ctap2/ (see fido2/). getInfo is the profile's captured map (as
 * `Ctap2Core` answers it), with the entries the state changes kept current: options.clientPin,
 * forcePINChange, minPINLength and remainingDiscoverableCredentials.
 *
 * Power: a real key loses its volatile state when unplugged. `powerCycle()` is that replug (PIN auth
 * unblocked, token dropped, reset window reopened); the state object outlives the `SoftAuthenticator`
 * handles, so one core can stand behind a fresh device per open.
 */
import { decode, decodeFirst, encode } from 'cborg';
import { Ctap2Status, KeepaliveStatus } from '../../main/keys/hid/constants';
import { Ctap2Command, GetInfoKey } from '../../main/keys/ctap2/constants';
import type { CtapCore, CtapCoreContext } from './core';
import { Ctap2Core } from './ctap2-core';
import { profile as fixtureProfile, type AuthenticatorProfile } from './profiles';
import { testAttestation } from './fido2/attestation';
import { clientPin } from './fido2/client-pin';
import { getAssertion, makeCredential, type CredentialContext } from './fido2/credentials';
import { AuthenticatorState, Permission } from './fido2/state';
import { StatusReply, err, ok, params, refuse, uintOf } from './fido2/wire';

/** How the simulated person answers a request for a touch. */
export type TouchBehaviour =
  /** Touch at once (a keepalive UPNEEDED is still sent first, as a real key does). */
  | 'auto'
  /** Wait for `SoftAuthenticator.touch()` (up to `touchTimeoutMs`). */
  | 'wait'
  /** Never touch: USER_ACTION_TIMEOUT after `touchTimeoutMs`. */
  | 'never'
  /** Decline (a key with a display): OPERATION_DENIED. */
  | 'deny';

export interface Fido2CoreOptions {
  /** Which captured key to be (default token2-t2f2-nfc: CTAP 2.1, protocols [2, 1], authnrCfg). */
  profile?: AuthenticatorProfile;
  /** A PIN set at manufacture (default none). */
  pin?: string;
  /** Resident key slots (default: the profile's remainingDiscoverableCredentials, else 25). */
  maxResidentKeys?: number;
  touch?: TouchBehaviour;
  touchTimeoutMs?: number;
  /** Built-in UV retries; undefined = no built-in UV. */
  uvRetries?: number;
  /** Clock (ms), for the reset window and the token's usage window. */
  now?: () => number;
}

export class Fido2Core implements CtapCore {
  readonly state: AuthenticatorState;
  readonly profile: AuthenticatorProfile;
  touch: TouchBehaviour;
  touchTimeoutMs: number;
  /** Every command byte received, oldest first. */
  readonly commands: number[] = [];

  private readonly info: Map<number, unknown>;
  private readonly getInfoCore: Ctap2Core;
  private readonly options: Record<string, boolean>;
  private readonly uvRetries: number | undefined;
  private readonly aaguid: Buffer;

  constructor(options: Fido2CoreOptions = {}) {
    this.profile = options.profile ?? fixtureProfile('token2-t2f2-nfc');
    if (!this.profile.getInfoCbor || !this.profile.aaguid) throw new Error(`profile ${this.profile.id} is U2F-only`);
    this.info = decode(this.profile.getInfoCbor, { useMaps: true }) as Map<number, unknown>;
    const opts = this.info.get(GetInfoKey.options);
    this.options = Object.fromEntries(opts instanceof Map ? (opts as Map<string, boolean>) : []);
    const protocols = (this.info.get(GetInfoKey.pinUvAuthProtocols) as number[] | undefined) ?? [1];
    const remaining = this.info.get(GetInfoKey.remainingDiscoverableCredentials);
    this.state = new AuthenticatorState(
      options.now ?? (() => performance.now()),
      options.maxResidentKeys ?? (typeof remaining === 'number' ? remaining : 25),
      protocols,
    );
    this.touch = options.touch ?? 'auto';
    this.touchTimeoutMs = options.touchTimeoutMs ?? 30_000;
    this.uvRetries = options.uvRetries;
    this.aaguid = Buffer.from(this.profile.aaguid.replaceAll('-', ''), 'hex');
    this.getInfoCore = new Ctap2Core(this.profile);
    if (options.pin !== undefined) this.state.setPin(Buffer.from(options.pin.normalize('NFC'), 'utf8'));
  }

  /** Unplug and plug back in. */
  powerCycle(): void {
    this.state.powerCycle();
  }

  async handleCbor(request: Uint8Array, context?: CtapCoreContext): Promise<Uint8Array> {
    const command = request[0] ?? -1;
    this.commands.push(command);
    if (command === Ctap2Command.getInfo) {
      this.getInfoCore.setGetInfo(this.currentGetInfo());
      return this.getInfoCore.handleCbor(request);
    }
    try {
      const p = params(request.subarray(1));
      switch (command) {
        case Ctap2Command.clientPin:
          if (this.options['clientPin'] === undefined) return err(Ctap2Status.InvalidCommand);
          return clientPin(this.state, p, { uvRetries: this.uvRetries, pinUvAuthToken: this.options['pinUvAuthToken'] === true });
        case Ctap2Command.makeCredential:
          return await makeCredential(await this.credentialContext(context), p);
        case Ctap2Command.getAssertion:
          return await getAssertion(await this.credentialContext(context), p);
        case Ctap2Command.config:
          if (this.options['authnrCfg'] !== true) return err(Ctap2Status.InvalidCommand);
          return this.config(p, request.subarray(1));
        case Ctap2Command.reset:
          return await this.reset(context);
        default:
          return err(Ctap2Status.InvalidCommand);
      }
    } catch (e) {
      if (e instanceof StatusReply) return err(e.status);
      throw e;
    }
  }

  private currentGetInfo(): Uint8Array {
    const info = new Map(this.info);
    const options = new Map(Object.entries(this.options));
    if (options.has('clientPin')) options.set('clientPin', this.state.pinSet);
    info.set(GetInfoKey.options, options);
    if (info.has(GetInfoKey.forcePINChange) || this.state.forcePinChange) info.set(GetInfoKey.forcePINChange, this.state.forcePinChange);
    if (info.has(GetInfoKey.minPINLength) || this.state.minPinLength !== 4) info.set(GetInfoKey.minPINLength, this.state.minPinLength);
    if (info.has(GetInfoKey.remainingDiscoverableCredentials)) {
      info.set(GetInfoKey.remainingDiscoverableCredentials, this.state.maxResidentKeys - this.state.residentCount);
    }
    return Uint8Array.from(encode(info));
  }

  private async credentialContext(context: CtapCoreContext | undefined): Promise<CredentialContext> {
    return {
      state: this.state,
      aaguid: this.aaguid,
      attestation: await testAttestation(this.profile.aaguid ?? ''),
      extensions: (this.info.get(GetInfoKey.extensions) as string[] | undefined) ?? [],
      userPresence: () => this.userPresence(context),
    };
  }

  private async userPresence(context: CtapCoreContext | undefined): Promise<'present' | 'timeout' | 'denied'> {
    switch (this.touch) {
      case 'auto':
        context?.keepalive(KeepaliveStatus.UpNeeded);
        return 'present';
      case 'deny':
        context?.keepalive(KeepaliveStatus.UpNeeded);
        return 'denied';
      case 'never':
      case 'wait': {
        if (!context) return 'timeout';
        const touched = await context.waitForUserPresence(this.touchTimeoutMs);
        return touched && this.touch === 'wait' ? 'present' : 'timeout';
      }
    }
  }

  /** authenticatorConfig (§6.11): only setMinPINLength (0x03); the MAC covers 32×FF ‖ 0x0D ‖ 0x03 ‖ params. */
  private config(p: Map<number, unknown>, raw: Uint8Array): Uint8Array {
    const sub = uintOf(p.get(1), true);
    if (sub !== 0x03) return err(Ctap2Status.InvalidSubcommand);
    const subParams = p.get(2);
    if (subParams !== undefined && !(subParams instanceof Map)) refuse(Ctap2Status.CborUnexpectedType);
    const param = p.get(4);
    if (this.state.pinSet || param !== undefined) {
      if (param === undefined) refuse(Ctap2Status.PuatRequired);
      if (!(param instanceof Uint8Array)) refuse(Ctap2Status.CborUnexpectedType);
      const message = Buffer.concat([Buffer.alloc(32, 0xff), Uint8Array.of(0x0d, 0x03), subParams === undefined ? new Uint8Array(0) : rawValueOfKey2(raw)]);
      const check = this.state.verifyToken(p.get(3), param, message, Permission.acfg, undefined);
      if (!check.ok) refuse(check.status);
    }
    const m = (subParams as Map<number, unknown> | undefined) ?? new Map<number, unknown>();
    const newMin = uintOf(m.get(1), false);
    const force = m.get(3);
    if (force !== undefined && typeof force !== 'boolean') refuse(Ctap2Status.CborUnexpectedType);
    if (newMin !== undefined && newMin < this.state.minPinLength) refuse(Ctap2Status.PinPolicyViolation);
    if (force === true && !this.state.pinSet) refuse(Ctap2Status.PinNotSet);
    if (newMin !== undefined) this.state.minPinLength = newMin;
    if (force === true || (this.state.pinSet && this.state.pinCodePoints < this.state.minPinLength)) this.state.forcePinChange = true;
    return ok();
  }

  /** authenticatorReset (§6.6): within 10 s of power-up, with a touch. */
  private async reset(context: CtapCoreContext | undefined): Promise<Uint8Array> {
    if (!this.state.resetAllowed) return err(Ctap2Status.NotAllowed);
    const up = await this.userPresence(context);
    if (up === 'denied') return err(Ctap2Status.OperationDenied);
    if (up === 'timeout') return err(Ctap2Status.UserActionTimeout);
    this.state.factoryReset();
    return ok();
  }
}

/**
 * The exact bytes of request key 2 (subCommandParams) as the host sent them: the MAC covers them, so they are
 * cut out of the request, not re-encoded. The request map is {1: small uint, 2: map, ...} in canonical order.
 */
function rawValueOfKey2(request: Uint8Array): Uint8Array {
  let offset = 1; // the map header
  if (request[offset] === 0x01) offset += 2; // key 1 and its one-byte value
  if (request[offset] !== 0x02) refuse(Ctap2Status.InvalidCbor);
  const rest = request.subarray(offset + 1);
  const [, remainder] = decodeFirst(rest, { useMaps: true });
  return rest.subarray(0, rest.length - remainder.length);
}
