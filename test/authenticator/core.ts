/**
 * The CTAP core of the software authenticator: what answers CTAPHID_CBOR messages.
 *
 * The HID layer (soft-authenticator.ts) owns framing, channels and fault injection; a core only sees
 * one CTAP2 request (command byte + CBOR parameters) and returns one response (CTAP2 status byte +
 * CBOR). Keeping this seam narrow lets getInfo-only cores (ctap2-core.ts, built from the fixture
 * captures) grow makeCredential/getAssertion later without touching the transport: the optional
 * context gives a core what those commands need (keepalives, waiting for a touch, cancellation).
 */
export interface CtapCore {
  /**
   * Handle one CTAP2 request.
   * @param request command byte followed by the CBOR-encoded parameters (e.g. `[0x04]` for getInfo)
   * @param context what the HID layer offers a long-running command (always passed by SoftAuthenticator)
   * @returns CTAP2 status byte followed by the CBOR response (e.g. `[0x00, ...map]`, or `[0x01]`)
   */
  handleCbor(request: Uint8Array, context?: CtapCoreContext): Uint8Array | Promise<Uint8Array>;
}

export interface CtapCoreContext {
  /** Send one CTAPHID_KEEPALIVE with this status (0x01 PROCESSING, 0x02 UPNEEDED) to the host. */
  keepalive(status: number): void;
  /**
   * Wait for the user to touch the key (the test calls `SoftAuthenticator.touch()`), sending KEEPALIVE
   * UPNEEDED meanwhile. Resolves false on timeout or when the request is cancelled.
   */
  waitForUserPresence(timeoutMs?: number): Promise<boolean>;
  /** Aborted when the host sends CTAPHID_CANCEL or resynchronises the channel, or the key is unplugged. */
  signal: AbortSignal;
}
