/**
 * authenticatorConfig (0x0D), CTAP 2.1 §6.11: setMinPINLength and forceChangePin, where the key supports
 * them (getInfo options `authnrCfg` and `setMinPINLength`). The token needs the `acfg` permission; its MAC
 * covers 32×0xFF ‖ 0x0D ‖ subCommand ‖ CBOR(subCommandParams) (§6.11 step 4.2; docs/reference/ctap2-commands.md).
 */
import { Ctap2Command } from './constants';
import type { AuthenticatorInfo } from './info';
import { type PinUvAuthToken, PinPermission } from './client-pin';
import { type Ctap2CallOptions, type Ctap2Session, encodeCbor } from './session';

export enum ConfigSubCommand {
  EnableEnterpriseAttestation = 0x01,
  ToggleAlwaysUv = 0x02,
  SetMinPinLength = 0x03,
}

export enum ConfigKey {
  SubCommand = 0x01,
  SubCommandParams = 0x02,
  PinUvAuthProtocol = 0x03,
  PinUvAuthParam = 0x04,
}

export enum SetMinPinLengthKey {
  NewMinPinLength = 0x01,
  MinPinLengthRpIds = 0x02,
  ForceChangePin = 0x03,
}

/** Whether the key offers setMinPINLength (and with it forceChangePin). */
export function supportsSetMinPinLength(info: Pick<AuthenticatorInfo, 'options'>): boolean {
  return info.options['authnrCfg'] === true && info.options['setMinPINLength'] === true;
}

export interface SetMinPinLengthRequest {
  /** Only increases are allowed (a lower value → PIN_POLICY_VIOLATION). */
  newMinPinLength?: number;
  /** RP IDs allowed to read the minimum through the minPinLength extension. */
  rpIds?: readonly string[];
  /** The PIN must be changed before its next use. */
  forceChangePin?: boolean;
}

/**
 * setMinPINLength. `token` (permission acfg) is needed once a PIN is set; without it the key answers
 * PUAT_REQUIRED. forceChangePin on a key without PIN → PIN_NOT_SET.
 */
export async function setMinPinLength(session: Ctap2Session, req: SetMinPinLengthRequest, token?: PinUvAuthToken, options?: Ctap2CallOptions): Promise<void> {
  if (token && (token.permissions & PinPermission.AuthenticatorConfig) === 0) {
    throw new RangeError('the token lacks the authenticatorConfig (acfg) permission');
  }
  const sub = new Map<number, unknown>([
    [SetMinPinLengthKey.NewMinPinLength, req.newMinPinLength],
    [SetMinPinLengthKey.MinPinLengthRpIds, req.rpIds?.length ? [...req.rpIds] : undefined],
    [SetMinPinLengthKey.ForceChangePin, req.forceChangePin ? true : undefined],
  ]);
  const paramsBytes = encodeCbor(sub);
  const subParams = [...sub.values()].some((v) => v !== undefined) ? sub : undefined;
  const message = Buffer.concat([
    Buffer.alloc(32, 0xff),
    Uint8Array.of(Ctap2Command.config, ConfigSubCommand.SetMinPinLength),
    subParams ? paramsBytes : new Uint8Array(0),
  ]);
  await session.call(
    Ctap2Command.config,
    new Map<number, unknown>([
      [ConfigKey.SubCommand, ConfigSubCommand.SetMinPinLength],
      [ConfigKey.SubCommandParams, subParams],
      [ConfigKey.PinUvAuthProtocol, token?.protocol.version],
      [ConfigKey.PinUvAuthParam, token?.authenticate(message)],
    ]),
    options,
  );
}

/** forceChangePin: setMinPINLength with `{3: true}` only. */
export function forceChangePin(session: Ctap2Session, token?: PinUvAuthToken, options?: Ctap2CallOptions): Promise<void> {
  return setMinPinLength(session, { forceChangePin: true }, token, options);
}
