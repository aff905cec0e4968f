/**
 * CTAPHID and CTAP2 constants (FIDO CTAP 2.x, section "USB HID"; values as in libfido2 and
 * python-fido2, see docs/reference/ctap-hid.md). Enums, not magic numbers.
 */

/** HID usage page and usage of a FIDO authenticator interface. */
export const FIDO_USAGE_PAGE = 0xf1d0;
export const FIDO_USAGE_CTAPHID = 0x01;

/** Size of one HID input/output report (packet) in bytes, without the report ID. */
export const HID_REPORT_SIZE = 64;
/** Report ID prefixed on every write (FIDO keys use none, which node-hid expresses as 0x00). */
export const OUTPUT_REPORT_ID = 0x00;
/** Bytes of payload in an initialization packet: 64 - CID(4) - CMD(1) - BCNT(2). */
export const INIT_PACKET_DATA_SIZE = HID_REPORT_SIZE - 7;
/** Bytes of payload in a continuation packet: 64 - CID(4) - SEQ(1). */
export const CONT_PACKET_DATA_SIZE = HID_REPORT_SIZE - 5;
/** Highest continuation sequence number (SEQ has bit 7 clear). */
export const MAX_SEQ = 0x7f;
/** Largest CTAPHID message: one init packet plus 128 continuation packets, 57 + 128 * 59. */
export const MAX_MESSAGE_SIZE = INIT_PACKET_DATA_SIZE + (MAX_SEQ + 1) * CONT_PACKET_DATA_SIZE; // 7609

/** Bit 7 of byte 4 marks an initialization packet (it carries a command); clear means continuation. */
export const TYPE_INIT = 0x80;

/** The broadcast channel, used only for CTAPHID_INIT. */
export const BROADCAST_CID = 0xffffffff;
/** Channel 0 is reserved and never allocated. */
export const RESERVED_CID = 0x00000000;

/** Length of the CTAPHID_INIT nonce and of a well-formed INIT response. */
export const INIT_NONCE_SIZE = 8;
export const INIT_RESPONSE_SIZE = 17;

/** CTAPHID commands, without the TYPE_INIT bit (on the wire: value | 0x80). */
export enum CtapHidCommand {
  Ping = 0x01,
  /** CTAP1/U2F APDU. */
  Msg = 0x03,
  Lock = 0x04,
  Init = 0x06,
  Wink = 0x08,
  Cbor = 0x10,
  Cancel = 0x11,
  /** Authenticator to host only. */
  Keepalive = 0x3b,
  /** Authenticator to host only. */
  Error = 0x3f,
}
/** Vendor-specific commands occupy this range. */
export const VENDOR_COMMAND_FIRST = 0x40;
export const VENDOR_COMMAND_LAST = 0x7f;

/** Capability flags in the INIT response. */
export enum CtapHidCapability {
  Wink = 0x01,
  /** Legacy; no current authenticator sets it meaningfully. */
  Lock = 0x02,
  Cbor = 0x04,
  /** Set when the authenticator does NOT implement CTAPHID_MSG (no U2F/CTAP1). */
  Nmsg = 0x08,
}

/** CTAPHID_ERROR payload codes. */
export enum CtapHidErrorCode {
  InvalidCmd = 0x01,
  InvalidPar = 0x02,
  InvalidLen = 0x03,
  InvalidSeq = 0x04,
  MsgTimeout = 0x05,
  ChannelBusy = 0x06,
  LockRequired = 0x0a,
  InvalidChannel = 0x0b,
  Other = 0x7f,
}

/** CTAPHID_KEEPALIVE status byte. */
export enum KeepaliveStatus {
  /** The authenticator is still processing the request. */
  Processing = 0x01,
  /** The authenticator waits for the user to touch it. */
  UpNeeded = 0x02,
}

/** CTAP2 status codes: the first byte of every CTAPHID_CBOR response. */
export enum Ctap2Status {
  Success = 0x00,
  InvalidCommand = 0x01,
  InvalidParameter = 0x02,
  InvalidLength = 0x03,
  InvalidSeq = 0x04,
  Timeout = 0x05,
  ChannelBusy = 0x06,
  LockRequired = 0x0a,
  InvalidChannel = 0x0b,
  CborUnexpectedType = 0x11,
  InvalidCbor = 0x12,
  MissingParameter = 0x14,
  LimitExceeded = 0x15,
  FpDatabaseFull = 0x17,
  LargeBlobStorageFull = 0x18,
  CredentialExcluded = 0x19,
  Processing = 0x21,
  InvalidCredential = 0x22,
  UserActionPending = 0x23,
  OperationPending = 0x24,
  NoOperations = 0x25,
  UnsupportedAlgorithm = 0x26,
  OperationDenied = 0x27,
  KeyStoreFull = 0x28,
  UnsupportedOption = 0x2b,
  InvalidOption = 0x2c,
  KeepaliveCancel = 0x2d,
  NoCredentials = 0x2e,
  UserActionTimeout = 0x2f,
  NotAllowed = 0x30,
  PinInvalid = 0x31,
  PinBlocked = 0x32,
  PinAuthInvalid = 0x33,
  PinAuthBlocked = 0x34,
  PinNotSet = 0x35,
  PuatRequired = 0x36,
  PinPolicyViolation = 0x37,
  PinTokenExpired = 0x38,
  RequestTooLarge = 0x39,
  ActionTimeout = 0x3a,
  UpRequired = 0x3b,
  UvBlocked = 0x3c,
  IntegrityFailure = 0x3d,
  InvalidSubcommand = 0x3e,
  UvInvalid = 0x3f,
  UnauthorizedPermission = 0x40,
  Other = 0x7f,
}

/** Human-readable enum member name for a byte, or hex when unknown (for messages and logs). */
export function nameOf(table: Record<string, string | number>, value: number): string {
  const name = table[value];
  return typeof name === 'string' ? name : `0x${value.toString(16).padStart(2, '0')}`;
}
