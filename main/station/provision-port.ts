/**
 * The enrollment session's ProvisionPort (main/enrollment/provision.ts) over the key reader and main/provision/:
 * each call opens the key at the desk on a fresh handle (CTAPHID channel, CTAP2 session), reads getInfo, and closes
 * it again, whatever happened.
 *
 *   readKey    getInfo, and getPINRetries for a key with a PIN: what the PIN pad needs (set or enter, the minimum
 *              length, the tries left). A blocked PIN (0 tries) or one that needs a replug says so at once.
 *   provision  provision/flow.ts `provisionKey` (it overwrites the PIN bytes before it returns).
 *
 * A key's or Graph's refusal comes back as a code (provision/errors.ts); only the caller's abort throws.
 */
import type { HidDevice } from '../keys/hid/device';
import { CtapHidChannel } from '../keys/hid/transport';
import { ClientPin } from '../keys/ctap2/client-pin';
import { getInfo, type AuthenticatorInfo } from '../keys/ctap2/info';
import { choosePinProtocol } from '../keys/ctap2/pin-protocol';
import { Ctap2Session } from '../keys/ctap2/session';
import type { PasskeyProvisioningCalls } from '../directory/methods';
import type { AuditEvent } from '../audit';
import type { ProvisionPort } from '../enrollment/provision';
import { provisionKey } from '../provision/flow';
import { toProvisionError } from '../provision/errors';
import { minimumPinLength } from '../provision/pin-rules';
import { randomPin } from '../provision/random-pin';

export interface DeskProvisionOptions {
  /** Opens the key at the desk by the key reader's id (a fresh handle each time). */
  open(keyId: string): Promise<HidDevice>;
  graph: PasskeyProvisioningCalls;
  journal: { append(event: AuditEvent): Promise<unknown> };
  /** The model's name for an AAGUID (the keys catalogue), else the key's product name. */
  modelOf(aaguid: string): string | null;
  /** A PIN length the station requires on top of the key's own minimum. */
  minPinLength?: number;
  /** CTAPHID silence allowed (ms); the touch wait is bounded by the key itself. Default 3 s. */
  timeoutMs?: number;
}

async function withKey<T>(
  o: DeskProvisionOptions,
  keyId: string,
  signal: AbortSignal | undefined,
  use: (s: Ctap2Session, info: AuthenticatorInfo) => Promise<T>,
): Promise<T> {
  const device = await o.open(keyId);
  let channel: CtapHidChannel | undefined;
  try {
    channel = await CtapHidChannel.open(device, { timeoutMs: o.timeoutMs ?? 3_000, ...(signal ? { signal } : {}) });
    const read = await getInfo(channel, signal ? { signal } : {});
    if (read.kind !== 'fido2') throw Object.assign(new Error('not a FIDO2 key'), { u2fOnly: true });
    return await use(new Ctap2Session(channel), read.info);
  } finally {
    if (channel) await channel.close().catch(() => undefined);
    else await device.close().catch(() => undefined);
  }
}

export function deskProvisionPort(o: DeskProvisionOptions): ProvisionPort {
  const modelOf = (info: AuthenticatorInfo) => o.modelOf(info.aaguid) ?? 'Security key';
  return {
    async readKey(keyId, signal) {
      let min = minimumPinLength(undefined, o.minPinLength);
      try {
        return await withKey(o, keyId, signal, async (session, info) => {
          min = minimumPinLength(info.minPINLength, o.minPinLength);
          const pinSet = info.options['clientPin'] === true;
          if (info.options['clientPin'] === undefined || info.options['rk'] !== true)
            return { ok: false, error: { code: 'key.unsupported', params: {} } } as const;
          let retries: number | null = null;
          if (pinSet) {
            const r = await new ClientPin(session, choosePinProtocol(info.pinUvAuthProtocols)).getPinRetries(signal ? { signal } : {});
            if (r.retries === 0) return { ok: false, error: { code: 'key.pin-blocked', params: {} } } as const;
            if (r.powerCycleState === true) return { ok: false, error: { code: 'key.pin-auth-blocked', params: {} } } as const;
            retries = r.retries;
          }
          return { ok: true, key: { pinBy: 'station', pinSet, retries, minPinLength: min, model: modelOf(info), aaguid: info.aaguid } } as const;
        });
      } catch (e) {
        if (signal?.aborted) throw e;
        if (e instanceof Error && 'u2fOnly' in e) return { ok: false, error: { code: 'key.unsupported', params: {} } };
        return { ok: false, error: toProvisionError(e, min) };
      }
    },

    async provision(request, signal) {
      try {
        return await withKey(o, request.keyId, signal, async (session, info) => {
          // The operator's random PIN (a key without one): drawn here for the key's minimum, shown once on success.
          const random = request.random === true && info.options['clientPin'] === false;
          const drawn = random ? randomPin(info.minPINLength, o.minPinLength) : null;
          const shown = drawn ? Buffer.from(drawn).toString('ascii') : null;
          const outcome = await provisionKey(
            { graph: o.graph, journal: o.journal },
            {
              enrollmentId: request.enrollmentId,
              operator: request.operator,
              user: request.user,
              key: { session, info, model: modelOf(info) },
              pin: drawn ?? request.pin,
              ...(drawn ? { pinConfirm: drawn.slice(), forceChangePin: true } : request.pinConfirm ? { pinConfirm: request.pinConfirm } : {}),
              policy: request.policy,
              ...(o.minPinLength ? { policyMinPinLength: o.minPinLength } : {}),
              onStep: request.onStep,
              ...(signal ? { signal } : {}),
            },
          );
          if (!outcome.ok) return { ok: false, error: outcome.error };
          const made = {
            ok: true,
            methodId: outcome.methodId,
            displayName: outcome.displayName,
            model: outcome.model,
            aaguid: outcome.aaguid,
            proven: true,
          } as const;
          return shown ? { ...made, operatorPin: { pin: shown, changeForced: outcome.pinChangeForced } } : made;
        });
      } catch (e) {
        if (signal?.aborted) throw e;
        return { ok: false, error: toProvisionError(e, minimumPinLength(undefined, o.minPinLength)) };
      } finally {
        request.pin.fill(0);
        request.pinConfirm?.fill(0);
      }
    },
  };
}
