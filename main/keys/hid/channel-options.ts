/** The CTAPHID channel's settings: timeouts, CHANNEL_BUSY retries, cancellation, and their defaults. */
import type { KeepaliveStatus } from './constants';

export interface ChannelOptions {
  /**
   * Longest silence tolerated in a call, measured from the request and then from the last KEEPALIVE or
   * packet on our channel (default 2000 ms).
   */
  timeoutMs?: number;
  /** Overall cap on a CBOR call while KEEPALIVEs keep arriving (default 120 000 ms). */
  maxWaitMs?: number;
  /** CHANNEL_BUSY retries after the first attempt (default 5). */
  busyRetries?: number;
  /** First CHANNEL_BUSY backoff; doubles per retry, capped at 1 s (default 20 ms). */
  busyBackoffMs?: number;
  /** After an abort, how long to wait for the authenticator to acknowledge CTAPHID_CANCEL (default 300 ms). */
  cancelGraceMs?: number;
  /** Longest single `device.read` wait; bounds how quickly abort and close are noticed (default 100 ms). */
  readSliceMs?: number;
  /** Close the HID device when the channel is closed (default true). */
  closeDevice?: boolean;
  /** Source of the INIT nonce (default: crypto.randomBytes). */
  randomBytes?: (size: number) => Uint8Array;
}

export interface CallOptions {
  /** Overrides ChannelOptions.timeoutMs for this call. */
  timeoutMs?: number;
  /** Overrides ChannelOptions.maxWaitMs for this call (CBOR and MSG only). */
  maxWaitMs?: number;
  /** Aborting sends CTAPHID_CANCEL and ends the call with AbortedError. */
  signal?: AbortSignal;
  /** Called for each KEEPALIVE (PROCESSING, or UPNEEDED: the user should touch the key). */
  onKeepalive?: (status: KeepaliveStatus | number) => void;
}

export interface ResolvedCall {
  timeoutMs: number;
  maxWaitMs: number;
  signal: AbortSignal | undefined;
  onKeepalive: ((status: KeepaliveStatus | number) => void) | undefined;
  /** Send CTAPHID_CANCEL on abort and wait briefly for the acknowledgement. */
  cancellable: boolean;
}

export const DEFAULTS = {
  timeoutMs: 2000,
  maxWaitMs: 120_000,
  busyRetries: 5,
  busyBackoffMs: 20,
  cancelGraceMs: 300,
  readSliceMs: 100,
};
export const MAX_BUSY_BACKOFF_MS = 1000;
/** Reports read (non-blocking) before a request after an interrupted call; one maximal message is 129. */
export const MAX_DRAIN_REPORTS = 256;
