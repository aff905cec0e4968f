/**
 * The CTAP core of the software authenticator: what answers CTAPHID_CBOR messages.
 *
 * The HID layer (soft-authenticator.ts) owns framing, channels and fault injection; a core only sees
 * one CTAP2 request (command byte + CBOR parameters) and returns one response (CTAP2 status byte +
 * CBOR). Keeping this seam narrow lets getInfo-only cores (ctap2-core.ts, built from the fixture
 * captures) grow makeCredential/getAssertion later without touching the transport.
 */
export interface CtapCore {
  /**
   * Handle one CTAP2 request.
   * @param request command byte followed by the CBOR-encoded parameters (e.g. `[0x04]` for getInfo)
   * @returns CTAP2 status byte followed by the CBOR response (e.g. `[0x00, ...map]`, or `[0x01]`)
   */
  handleCbor(request: Uint8Array): Uint8Array | Promise<Uint8Array>;
}
