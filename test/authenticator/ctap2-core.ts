/**
 * A CTAP2 core for the software authenticator: answers authenticatorGetInfo with a profile's captured CBOR
 * and CTAP2_ERR_INVALID_COMMAND for everything else. Commands are a handler table, so makeCredential and
 * getAssertion can be added later (`handle(Ctap2Command.makeCredential, ...)`) without touching the rest.
 */
import { Ctap2Status } from '../../main/keys/hid/constants';
import { Ctap2Command } from '../../main/keys/ctap2/constants';
import type { CtapCore } from './core';
import type { AuthenticatorProfile } from './profiles';

/** Handles one CTAP2 command: gets the CBOR parameters (after the command byte), returns status + CBOR. */
export type Ctap2Handler = (params: Uint8Array) => Uint8Array | Promise<Uint8Array>;

export class Ctap2Core implements CtapCore {
  /**
   * When set, getInfo answers this CTAP2 status instead of the map: INVALID_COMMAND (the default of
   * `failGetInfo()`) is what a U2F-only key that still advertises CBOR sends.
   */
  getInfoFailure: number | null = null;
  /** Every request received (command byte + parameters), oldest first. */
  readonly requests: Uint8Array[] = [];

  private getInfoCbor: Uint8Array;
  private readonly handlers = new Map<number, Ctap2Handler>();

  /** @param getInfo a profile (its captured getInfo) or a getInfo CBOR map */
  constructor(getInfo: Pick<AuthenticatorProfile, 'getInfoCbor' | 'id'> | Uint8Array) {
    if (getInfo instanceof Uint8Array) this.getInfoCbor = getInfo;
    else if (getInfo.getInfoCbor) this.getInfoCbor = getInfo.getInfoCbor;
    else throw new Error(`profile ${getInfo.id} has no getInfo (U2F-only): give the authenticator no CBOR capability`);
    this.handle(Ctap2Command.getInfo, () => this.answerGetInfo());
  }

  /** Add or replace the handler of one CTAP2 command. */
  handle(command: number, handler: Ctap2Handler): this {
    this.handlers.set(command, handler);
    return this;
  }

  /** U2F-only mode: getInfo is refused with `status` (default CTAP2_ERR_INVALID_COMMAND). */
  failGetInfo(status: number = Ctap2Status.InvalidCommand): this {
    this.getInfoFailure = status;
    return this;
  }

  /** Answer getInfo with another map from now on (e.g. re-randomised encIdentifier, a filled-up key). */
  setGetInfo(cbor: Uint8Array): this {
    this.getInfoCbor = cbor;
    return this;
  }

  handleCbor(request: Uint8Array): Uint8Array | Promise<Uint8Array> {
    this.requests.push(Uint8Array.from(request));
    const command = request[0];
    const handler = command === undefined ? undefined : this.handlers.get(command);
    if (!handler) return Uint8Array.of(Ctap2Status.InvalidCommand);
    return handler(request.subarray(1));
  }

  private answerGetInfo(): Uint8Array {
    if (this.getInfoFailure !== null) return Uint8Array.of(this.getInfoFailure);
    const out = new Uint8Array(1 + this.getInfoCbor.length);
    out[0] = Ctap2Status.Success;
    out.set(this.getInfoCbor, 1);
    return out;
  }
}
