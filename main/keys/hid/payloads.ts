/**
 * What the channel reads out of CTAPHID payloads: the CTAPHID_INIT response (the allocated channel, versions,
 * capability flags) and the status byte in front of every CTAP2 (CBOR) response.
 */
import { BROADCAST_CID, Ctap2Status, CtapHidCapability, INIT_NONCE_SIZE, INIT_RESPONSE_SIZE, RESERVED_CID } from './constants';
import { Ctap2StatusError, ProtocolError } from './errors';

/** Firmware version from the INIT response. */
export interface DeviceVersion {
  major: number;
  minor: number;
  build: number;
}

/** The parsed CTAPHID_INIT response. */
export interface InitResponse {
  nonce: Uint8Array;
  cid: number;
  /** CTAPHID protocol version (2 for every current authenticator). */
  protocolVersion: number;
  deviceVersion: DeviceVersion;
  /** Bit set of `CtapHidCapability`. */
  capabilities: number;
}

/**
 * Parse the payload of a CTAPHID_INIT response (17 bytes; longer payloads are accepted, the rest ignored).
 * @throws ProtocolError when the payload is short or allocates the reserved or broadcast channel
 */
export function parseInitResponse(payload: Uint8Array): InitResponse {
  if (payload.length < INIT_RESPONSE_SIZE) {
    throw new ProtocolError(`INIT response of ${payload.length} bytes, expected ${INIT_RESPONSE_SIZE}`);
  }
  const at = (i: number): number => payload[i] ?? 0;
  const cid = ((at(8) << 24) | (at(9) << 16) | (at(10) << 8) | at(11)) >>> 0;
  if (cid === RESERVED_CID || cid === BROADCAST_CID) {
    throw new ProtocolError(`INIT allocated the unusable channel 0x${cid.toString(16).padStart(8, '0')}`);
  }
  return {
    nonce: payload.slice(0, INIT_NONCE_SIZE),
    cid,
    protocolVersion: at(12),
    deviceVersion: { major: at(13), minor: at(14), build: at(15) },
    capabilities: at(16),
  };
}

/** Names of the capability flags set in `capabilities` (e.g. ['WINK', 'CBOR']). */
export function capabilityNames(capabilities: number): string[] {
  const names: string[] = [];
  if (capabilities & CtapHidCapability.Wink) names.push('WINK');
  if (capabilities & CtapHidCapability.Lock) names.push('LOCK');
  if (capabilities & CtapHidCapability.Cbor) names.push('CBOR');
  if (capabilities & CtapHidCapability.Nmsg) names.push('NMSG');
  return names;
}

/**
 * Split a CTAPHID_CBOR response into status and body, throwing for a non-zero status.
 * @returns the CBOR-encoded response (may be empty)
 * @throws Ctap2StatusError when the status byte is not CTAP2_OK; ProtocolError for an empty response
 */
export function expectCtap2Ok(response: Uint8Array): Uint8Array {
  if (response.length === 0) throw new ProtocolError('empty CTAP2 response (no status byte)');
  const status = response[0] ?? Ctap2Status.Other;
  if (status !== Ctap2Status.Success) throw new Ctap2StatusError(status);
  return response.subarray(1);
}
