/**
 * Identify one plugged-in security key: open → CTAPHID channel → CTAP2 getInfo → identity.
 *
 * Every step has its own deadline, the device is always closed (even when a step hangs or throws), and
 * every failure is a `KeyIdentifyError` whose `code` says what the operator can do about it:
 *
 * | code            | meaning                                                                  |
 * |-----------------|--------------------------------------------------------------------------|
 * | access-denied   | the OS refused to open the key (Windows: FIDO keys need the WebAuthn API) |
 * | open-failed     | opening failed for another reason                                       |
 * | device-gone     | the key was unplugged during the transaction                            |
 * | timeout         | a step did not finish within its deadline                                |
 * | protocol-error  | the key answered something we cannot use                                 |
 * | aborted         | the caller gave up (the watcher does when the key disappears)            |
 *
 * A key that only speaks U2F is not a failure: it is identified with `capability.kind === 'u2f-only'`.
 */
import type { HidDevice, HidDeviceInfo } from './hid/device';
import { CtapHidChannel } from './hid/transport';
import { isHidTransportError } from './hid/errors';
import { CtapHidCapability } from './hid/constants';
import { Ctap2TransientError, getInfo, type GetInfoResult } from './ctap2/info';
import { identifyKey, type KeyIdentity } from './identity';
import { keyIdOf } from './key-source';

export type IdentifyStep = 'open' | 'channel' | 'getInfo' | 'identity';

export type IdentifyFailureCode = 'access-denied' | 'open-failed' | 'device-gone' | 'timeout' | 'protocol-error' | 'aborted';

export class KeyIdentifyError extends Error {
  readonly code: IdentifyFailureCode;
  readonly step: IdentifyStep;
  constructor(code: IdentifyFailureCode, step: IdentifyStep, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'KeyIdentifyError';
    this.code = code;
    this.step = step;
  }
}

/** Per-step deadlines in milliseconds. */
export interface IdentifyTimeouts {
  open: number;
  channel: number;
  getInfo: number;
  /** Bound on releasing the handle; a hung close must not hold the watcher. */
  close: number;
}

export const DEFAULT_IDENTIFY_TIMEOUTS: IdentifyTimeouts = { open: 2000, channel: 1500, getInfo: 3000, close: 1000 };

/** What the key can do: `fido2` with its getInfo, or `u2f-only` (cannot hold a passkey) with the reason. */
export type KeyCapability = GetInfoResult;

export interface IdentifiedKey {
  /** Stable for as long as the key stays plugged in (see `keyIdOf`). */
  keyId: string;
  path: string;
  vendorId: number;
  productId: number;
  product?: string | undefined;
  manufacturer?: string | undefined;
  serialNumber?: string | undefined;
  /** From the CTAPHID INIT reply. */
  ctaphid: {
    deviceVersion: { major: number; minor: number; build: number };
    capabilities: { wink: boolean; cbor: boolean; nmsg: boolean };
  };
  capability: KeyCapability;
  identity: KeyIdentity;
  /** Wall time per step, for diagnostics and the bench. */
  timingsMs: { open: number; channel: number; getInfo: number; total: number };
}

export interface IdentifyOptions {
  open(path: string): Promise<HidDevice>;
  timeouts?: Partial<IdentifyTimeouts>;
  signal?: AbortSignal;
  /** Decides the access-denied wording and heuristics; defaults to `process.platform`. */
  platform?: NodeJS.Platform;
}

/** Identify the key behind one enumerated FIDO interface. Never leaves the device open. */
export async function identifyDevice(info: HidDeviceInfo, options: IdentifyOptions): Promise<IdentifiedKey> {
  const timeouts = { ...DEFAULT_IDENTIFY_TIMEOUTS, ...options.timeouts };
  const platform = options.platform ?? process.platform;
  const signal = options.signal;
  const started = performance.now();
  const timings = { open: 0, channel: 0, getInfo: 0, total: 0 };

  let step: IdentifyStep = 'open';
  let device: HidDevice | undefined;
  let channel: CtapHidChannel | undefined;
  try {
    throwIfAborted(signal, step);
    let t = performance.now();
    device = await withDeadline(options.open(info.path), timeouts.open, signal, step, (late) => {
      void closeQuietly(late, timeouts.close); // opened after we gave up: release it
    });
    timings.open = performance.now() - t;

    step = 'channel';
    t = performance.now();
    const opened = device;
    channel = await withDeadline(
      CtapHidChannel.open(opened, { timeoutMs: timeouts.channel, signal }),
      timeouts.channel + 250,
      signal,
      step,
      (late) => void late.close().catch(() => undefined),
    );
    timings.channel = performance.now() - t;

    step = 'getInfo';
    t = performance.now();
    const openChannel = channel;
    // maxWaitMs: KEEPALIVEs must not stretch getInfo (no user presence involved) past its deadline.
    const callOptions = { timeoutMs: timeouts.getInfo, maxWaitMs: timeouts.getInfo, signal };
    const outcome = await withDeadline(getInfo(openChannel, callOptions), timeouts.getInfo + 250, signal, step);
    timings.getInfo = performance.now() - t;

    step = 'identity';
    const capability: KeyCapability = outcome;
    const identity = identifyKey({
      vendorId: info.vendorId,
      productId: info.productId,
      product: info.product,
      manufacturer: info.manufacturer,
      info: capability.kind === 'fido2' ? capability.info : null,
      deviceVersion: openChannel.deviceVersion,
    });
    timings.total = performance.now() - started;
    const caps = openChannel.capabilities;
    const flag = (bit: number) => (caps & bit) !== 0;
    return {
      keyId: keyIdOf(info),
      path: info.path,
      vendorId: info.vendorId,
      productId: info.productId,
      product: info.product,
      manufacturer: info.manufacturer,
      serialNumber: info.serialNumber,
      ctaphid: {
        deviceVersion: { ...openChannel.deviceVersion },
        capabilities: { wink: flag(CtapHidCapability.Wink), cbor: flag(CtapHidCapability.Cbor), nmsg: flag(CtapHidCapability.Nmsg) },
      },
      capability,
      identity,
      timingsMs: timings,
    };
  } catch (e) {
    throw toIdentifyError(e, step, platform, signal);
  } finally {
    if (channel) await closeQuietly(channel, timeouts.close);
    else if (device) await closeQuietly(device, timeouts.close);
  }
}

/** The words the operator screen shows when a key is present but cannot be read. */
export function unavailableMessage(error: KeyIdentifyError, platform: NodeJS.Platform = process.platform): string {
  switch (error.code) {
    case 'access-denied':
      return platform === 'win32'
        ? 'unavailable: needs the Windows security key API'
        : 'unavailable: this account may not open security keys (install the FIDO udev rule)';
    case 'device-gone':
      return 'unavailable: the key was removed while it was being read';
    case 'timeout':
      return 'unavailable: the key did not answer in time; unplug it and plug it in again';
    case 'protocol-error':
      return 'unavailable: the key answered in a way this station does not understand';
    case 'open-failed':
      return 'unavailable: the key could not be opened; unplug it and plug it in again';
    case 'aborted':
      return 'unavailable: reading the key was cancelled';
  }
}

// ---------------------------------------------------------------------------------------------------

/** Windows' ERROR_ACCESS_DENIED as hidapi formats it (language-independent, unlike the text after it). */
const ACCESS_DENIED = /\(0x00000005\)|access is denied|permission denied|\bEACCES\b|\bEPERM\b/i;
/** node-hid/hidapi texts of a handle whose device went away. */
const DEVICE_GONE =
  /could not read data from device|cannot write to hid device|device has been closed|no such device|\bENODEV\b|\(0x0000048f\)|\(0x0000001f\)/i;

function messagesOf(e: unknown): string {
  const parts: string[] = [];
  let cur: unknown = e;
  for (let depth = 0; depth < 5 && cur !== undefined && cur !== null; depth++) {
    if (cur instanceof Error) {
      parts.push(cur.message);
      cur = cur.cause;
    } else {
      parts.push(String(cur));
      break;
    }
  }
  return parts.join(' | ');
}

function toIdentifyError(e: unknown, step: IdentifyStep, platform: NodeJS.Platform, signal?: AbortSignal): KeyIdentifyError {
  if (e instanceof KeyIdentifyError) return e;
  const text = messagesOf(e);
  const make = (code: IdentifyFailureCode, message: string) => new KeyIdentifyError(code, step, message, { cause: e });
  if (ACCESS_DENIED.test(text)) return make('access-denied', `The system refused access to the security key: ${text}`);
  if (step === 'open' && platform === 'win32' && /cannot open device/i.test(text)) {
    // Windows 10 1903+ refuses FIDO HID interfaces (usage page 0xF1D0) to non-administrators; older
    // hidapi builds report this with no detail after "cannot open device with path ...".
    return make('access-denied', `Windows refused to open the security key: ${text}`);
  }
  if (isHidTransportError(e, 'DEVICE_GONE') || isHidTransportError(e, 'CLOSED') || DEVICE_GONE.test(text)) {
    return make('device-gone', `The security key went away during ${step}: ${text}`);
  }
  if (isHidTransportError(e, 'ABORTED') || signal?.aborted) return make('aborted', `Reading the security key was cancelled during ${step}`);
  if (isHidTransportError(e, 'TIMEOUT') || isHidTransportError(e, 'CHANNEL_BUSY') || e instanceof Ctap2TransientError) {
    return make('timeout', `The security key did not finish ${step}: ${text}`);
  }
  if (step === 'open') return make('open-failed', `The security key could not be opened: ${text}`);
  return make('protocol-error', `The security key could not be read during ${step}: ${text}`);
}

function throwIfAborted(signal: AbortSignal | undefined, step: IdentifyStep): void {
  if (signal?.aborted) throw new KeyIdentifyError('aborted', step, `Reading the security key was cancelled before ${step}`);
}

/**
 * Race `work` against a deadline and the abort signal. The work itself is not cancelled (a native open
 * cannot be); when it completes after we gave up, `onLate` receives its value so it can be released.
 */
function withDeadline<T>(work: Promise<T>, ms: number, signal: AbortSignal | undefined, step: IdentifyStep, onLate?: (value: T) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const finish = () => {
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    };
    const timer = setTimeout(() => {
      if (settled) return;
      finish();
      reject(new KeyIdentifyError('timeout', step, `The security key did not finish ${step} within ${ms} ms`));
    }, ms);
    const onAbort = () => {
      if (settled) return;
      finish();
      reject(new KeyIdentifyError('aborted', step, `Reading the security key was cancelled during ${step}`));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        if (settled) {
          onLate?.(value);
          return;
        }
        finish();
        resolve(value);
      },
      (error: unknown) => {
        if (settled) return;
        finish();
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

async function closeQuietly(closable: { close(): Promise<void> | void }, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      Promise.resolve().then(() => closable.close()),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, ms);
      }),
    ]);
  } catch {
    // Closing a handle whose device is gone fails; there is nothing left to release.
  } finally {
    clearTimeout(timer);
  }
}
