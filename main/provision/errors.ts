/**
 * Any failure of a provisioning step → one `ProvisionError` (common/codes.ts PROVISION_ERRORS), the code the
 * screens word. Every CTAP 2.1 status reaches the caller: the ones with their own meaning by status, every other
 * by the remedy `keys/ctap2/status.ts` gives it, and anything left as `key.error` with the status's name. The
 * transport's "key gone" and "no answer" are `key.unplugged`. webauthn.dll's HRESULTs by what Windows says (`fromHresult`). A Graph failure by its kind and, for the 400s the
 * provisioning endpoints answer, by Graph's text ([INF]: Microsoft documents no error codes for them).
 */
import { Ctap2Error, Ctap2ResponseError, Ctap2Status, remedyOf, statusName } from '../keys/ctap2/status';
import { ChannelClosedError, Ctap2StatusError, DeviceGoneError, TimeoutError } from '../keys/hid/errors';
import { WebAuthnDllError, WebAuthnHresult } from '../keys/webauthn-dll/hresult';
import { WebAuthnDllResultError } from '../keys/webauthn-dll/results';
import { DirectoryError } from '../directory/errors';
import type { ProvisionError } from '../../common/provision-codes';

/** A failure the flow itself decided on (attestation, proof, policy): carries its code. */
export class ProvisionFailure extends Error {
  override readonly name = 'ProvisionFailure';
  constructor(readonly error: ProvisionError) {
    super(`provisioning failed: ${error.code}`);
  }
}

const err = (code: ProvisionError['code'], params: object = {}): ProvisionError => ({ code, params }) as ProvisionError;

/** A CTAP status → its code. `minPinLength`: what the station asked for, for the policy refusal's words. */
export function fromCtapStatus(status: number, pinRetries: number | undefined, minPinLength: number): ProvisionError {
  switch (status as Ctap2Status) {
    case Ctap2Status.PinInvalid:
      return err('key.wrong-pin', { retries: pinRetries ?? null });
    case Ctap2Status.PinBlocked:
      return err('key.pin-blocked');
    case Ctap2Status.PinAuthBlocked:
      return err('key.pin-auth-blocked');
    case Ctap2Status.PinPolicyViolation:
      return err('key.pin-policy', { min: minPinLength });
    case Ctap2Status.PinNotSet:
      return err('key.pin-not-set');
    case Ctap2Status.CredentialExcluded:
      return err('key.already-registered');
    default:
      break;
  }
  switch (remedyOf(status)) {
    case 'retry-pin':
      return err('key.wrong-pin', { retries: pinRetries ?? null });
    case 'key-full':
      return err('key.full');
    case 'denied':
      return err('key.denied');
    case 'touch-timeout':
      return err('key.no-touch');
    case 'not-allowed':
      return err('key.not-allowed');
    case 'unsupported':
      return err('key.unsupported');
    default:
      return err('key.error', { status: statusName(status).slice(0, 40) });
  }
}

/**
 * webauthn.dll's HRESULT → its code. Windows' dialog handles the PIN itself (wrong PIN, blocked, too short are
 * shown there and never reach the station); what comes back: cancelled or closed (NTE_USER_CANCELLED,
 * ERROR_CANCELLED), timed out (ERROR_TIMEOUT), the credential excluded (NTE_EXISTS), the key full, no device or
 * credential (NTE_DEVICE_NOT_FOUND, NTE_NOT_FOUND), or something it did not say (hresult.ts).
 */
export function fromHresult(e: WebAuthnDllError): ProvisionError {
  if (e.hresult === (WebAuthnHresult.Win32Timeout as number)) return err('key.no-touch');
  if (e.hresult === (WebAuthnHresult.NteDeviceNotFound as number)) return err('key.unplugged');
  switch (e.remedy) {
    case 'cancelled':
      return err('key.dialog-cancelled');
    case 'already-registered':
      return err('key.already-registered');
    case 'key-full':
      return err('key.full');
    case 'unsupported':
      return err('key.unsupported');
    case 'not-allowed':
      return err('key.not-allowed');
    case 'protocol':
      return err('key.error', { status: e.hresultName.slice(0, 40) });
  }
}

/** Graph's text for the provisioning refusals (the emulator's, after the real service's shapes; [INF]). */
function fromGraph(e: DirectoryError): ProvisionError {
  const ref = { requestId: e.requestId };
  const text = e.graphMessage ?? '';
  if (e.kind === 'forbidden') return err('graph.forbidden', ref);
  if (e.status === 400) {
    if (/guest/i.test(text)) return err('graph.guest', ref);
    if (/key restrictions|attest/i.test(text)) return err('graph.key-refused', ref);
    if (/policy/i.test(text)) return err('graph.policy', ref);
    if (/challenge/i.test(text)) return err('graph.challenge-expired', ref);
  }
  return err('graph.failed', { requestId: e.requestId, kind: e.kind });
}

/** Whether Graph refused the attestation because its challenge ran out (then the flow starts once more). */
export function isChallengeRefusal(e: unknown): boolean {
  return e instanceof DirectoryError && e.status === 400 && /challenge/i.test(e.graphMessage ?? '');
}

/** Any failure → its code; `undefined` for the caller's own abort (which the caller re-throws). */
export function toProvisionError(e: unknown, minPinLength: number): ProvisionError {
  if (e instanceof ProvisionFailure) return e.error;
  if (e instanceof Ctap2Error) return fromCtapStatus(e.status, e.pinRetries, minPinLength);
  if (e instanceof Ctap2StatusError) return fromCtapStatus(e.status, undefined, minPinLength);
  if (e instanceof DeviceGoneError || e instanceof ChannelClosedError || e instanceof TimeoutError) return err('key.unplugged');
  if (e instanceof Ctap2ResponseError || e instanceof WebAuthnDllResultError) return err('key.error', { status: 'response' });
  if (e instanceof WebAuthnDllError) return fromHresult(e);
  if (e instanceof DirectoryError) return fromGraph(e);
  return err('key.error', { status: 'unexpected' });
}
