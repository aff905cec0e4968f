/**
 * CTAP2 protocol constants: command bytes and getInfo map keys.
 *
 * Values from docs/reference/ctap-hid.md, where libfido2 and python-fido2 agree
 * (python-fido2 fido2/ctap2/base.py `Ctap2.CMD`, `Info`). CTAP2 status codes and the CTAPHID capability
 * flags live with the transport (../hid/constants.ts), which needs them first.
 */

/** CTAP2 authenticator command bytes (first byte of a CTAPHID_CBOR request). */
export const Ctap2Command = {
  makeCredential: 0x01,
  getAssertion: 0x02,
  getInfo: 0x04,
  clientPin: 0x06,
  reset: 0x07,
  getNextAssertion: 0x08,
  bioEnrollment: 0x09,
  credentialManagement: 0x0a,
  selection: 0x0b,
  largeBlobs: 0x0c,
  config: 0x0d,
  bioEnrollmentPreview: 0x40,
  credentialManagementPreview: 0x41,
} as const;
export type Ctap2Command = (typeof Ctap2Command)[keyof typeof Ctap2Command];

/**
 * authenticatorGetInfo response map keys (CTAP 2.0 to 2.3), named as in the reference table.
 * libfido2 src/info.c and python-fido2 `Info` agree on this order.
 */
export const GetInfoKey = {
  versions: 0x01,
  extensions: 0x02,
  aaguid: 0x03,
  options: 0x04,
  maxMsgSize: 0x05,
  pinUvAuthProtocols: 0x06,
  maxCredentialCountInList: 0x07,
  maxCredentialIdLength: 0x08,
  transports: 0x09,
  algorithms: 0x0a,
  maxSerializedLargeBlobArray: 0x0b,
  forcePINChange: 0x0c,
  minPINLength: 0x0d,
  firmwareVersion: 0x0e,
  maxCredBlobLength: 0x0f,
  maxRPIDsForSetMinPINLength: 0x10,
  preferredPlatformUvAttempts: 0x11,
  uvModality: 0x12,
  certifications: 0x13,
  remainingDiscoverableCredentials: 0x14,
  vendorPrototypeConfigCommands: 0x15,
  attestationFormats: 0x16,
  uvCountSinceLastPinEntry: 0x17,
  longTouchForReset: 0x18,
  encIdentifier: 0x19,
  transportsForReset: 0x1a,
  pinComplexityPolicy: 0x1b,
  pinComplexityPolicyURL: 0x1c,
  maxPINLength: 0x1d,
  encCredStoreState: 0x1e,
  authenticatorConfigCommands: 0x1f,
} as const;
export type GetInfoFieldName = keyof typeof GetInfoKey;

/** maxMsgSize when a key omits getInfo key 0x05 (CTAP 2.0). */
export const DEFAULT_MAX_MSG_SIZE = 1024;
