/**
 * CTAP2 protocol constants (command bytes, status codes, getInfo map keys, CTAPHID capability flags).
 *
 * Values from ../shared/reference/ctap-hid.md, where libfido2 and python-fido2 agree
 * (python-fido2 fido2/ctap.py `CtapError.ERR`, fido2/ctap2/base.py `Ctap2.CMD`, `Info`).
 * Plain `as const` objects rather than TypeScript enums, so they survive `isolatedModules`.
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

/** CTAP2 status codes (first byte of every CTAPHID_CBOR response). */
export const Ctap2Status = {
  SUCCESS: 0x00,
  INVALID_COMMAND: 0x01,
  INVALID_PARAMETER: 0x02,
  INVALID_LENGTH: 0x03,
  INVALID_SEQ: 0x04,
  TIMEOUT: 0x05,
  CHANNEL_BUSY: 0x06,
  LOCK_REQUIRED: 0x0a,
  INVALID_CHANNEL: 0x0b,
  CBOR_UNEXPECTED_TYPE: 0x11,
  INVALID_CBOR: 0x12,
  MISSING_PARAMETER: 0x14,
  LIMIT_EXCEEDED: 0x15,
  FP_DATABASE_FULL: 0x17,
  LARGE_BLOB_STORAGE_FULL: 0x18,
  CREDENTIAL_EXCLUDED: 0x19,
  PROCESSING: 0x21,
  INVALID_CREDENTIAL: 0x22,
  USER_ACTION_PENDING: 0x23,
  OPERATION_PENDING: 0x24,
  NO_OPERATIONS: 0x25,
  UNSUPPORTED_ALGORITHM: 0x26,
  OPERATION_DENIED: 0x27,
  KEY_STORE_FULL: 0x28,
  UNSUPPORTED_OPTION: 0x2b,
  INVALID_OPTION: 0x2c,
  KEEPALIVE_CANCEL: 0x2d,
  NO_CREDENTIALS: 0x2e,
  USER_ACTION_TIMEOUT: 0x2f,
  NOT_ALLOWED: 0x30,
  PIN_INVALID: 0x31,
  PIN_BLOCKED: 0x32,
  PIN_AUTH_INVALID: 0x33,
  PIN_AUTH_BLOCKED: 0x34,
  PIN_NOT_SET: 0x35,
  PUAT_REQUIRED: 0x36,
  PIN_POLICY_VIOLATION: 0x37,
  PIN_TOKEN_EXPIRED: 0x38,
  REQUEST_TOO_LARGE: 0x39,
  ACTION_TIMEOUT: 0x3a,
  UP_REQUIRED: 0x3b,
  UV_BLOCKED: 0x3c,
  INTEGRITY_FAILURE: 0x3d,
  INVALID_SUBCOMMAND: 0x3e,
  UV_INVALID: 0x3f,
  UNAUTHORIZED_PERMISSION: 0x40,
  OTHER: 0x7f,
} as const;
export type Ctap2StatusName = keyof typeof Ctap2Status;

const STATUS_NAMES: ReadonlyMap<number, Ctap2StatusName> = new Map(
  (Object.entries(Ctap2Status) as [Ctap2StatusName, number][]).map(([name, code]) => [code, name]),
);

/** Human-readable name of a CTAP2 status byte, e.g. `0x01` → `"INVALID_COMMAND"`; ranges per CTAP 2.1. */
export function ctap2StatusName(status: number): string {
  const known = STATUS_NAMES.get(status);
  if (known) return known;
  if (status >= 0xe0 && status <= 0xef) return 'EXTENSION_ERROR';
  if (status >= 0xf0 && status <= 0xff) return 'VENDOR_ERROR';
  return 'UNKNOWN_ERROR';
}

/** CTAPHID INIT capability flags (last byte of the INIT response). */
export const CtapHidCapability = {
  WINK: 0x01,
  /** Legacy; python-fido2 marks it "not used". */
  LOCK: 0x02,
  CBOR: 0x04,
  /** Set when the key does NOT implement CTAPHID_MSG (CTAP1/U2F). */
  NMSG: 0x08,
} as const;

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

/** Largest CTAPHID message: 57 + 128 * 59 bytes. A getInfo CBOR map is that minus the status byte. */
export const CTAPHID_MAX_MESSAGE_SIZE = 7609;
/** maxMsgSize when a key omits getInfo key 0x05 (CTAP 2.0). */
export const DEFAULT_MAX_MSG_SIZE = 1024;
