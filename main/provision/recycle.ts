/**
 * Recycle a returned key at the desk (a leaver's, a lost-and-found key) before it goes to the next person:
 * authenticatorReset (CTAP 2.1 §6.6) erases every credential and the PIN. Keys accept it only within seconds of
 * power-up (NOT_ALLOWED later) and only with a touch, so:
 *
 *   journal probe → "unplug the key" (the key watcher sees none) → "plug it back in" (the watcher sees one: the
 *   10 s start here) → getInfo → reset, "touch the key" live from the keepalive → audit `key.recycled` → done.
 *
 * Each wait is bounded (`replugTimeoutMs`); a key plugged in longer than RESET_WINDOW_MS ago is not even asked
 * (`recycle.too-late`), and a key that says NOT_ALLOWED gives the same code. Nothing of the previous holder is read
 * or written: the record holds the model (AAGUID, USB ids, no serial number) and the operator.
 */
import { getInfo } from '../keys/ctap2/info';
import { reset, RESET_WINDOW_MS } from '../keys/ctap2/reset';
import { Ctap2Session } from '../keys/ctap2/session';
import { Ctap2Error, Ctap2Status, statusName } from '../keys/ctap2/status';
import type { HidDevice } from '../keys/hid/device';
import { ChannelClosedError, Ctap2StatusError, DeviceGoneError, TimeoutError } from '../keys/hid/errors';
import { CtapHidChannel } from '../keys/hid/transport';
import { auditEvents, type AuditEvent } from '../audit/events';
import type { JournalHealthCode } from '../../common/codes';
import type { RecycleOutcome } from '../../common/provision-codes';

/** The key watcher as recycling needs it (main/keys/watcher.ts `KeyWatcher.state()` and its `change` event). */
export interface RecycleDesk {
  state(): { presence: 'none' | 'one' | 'multiple'; keys: readonly { id: string; vidPid: string }[] };
  onChange(listener: () => void): () => void;
  /** A fresh handle on the key by the watcher's id. */
  open(keyId: string): Promise<HidDevice>;
}

export type RecycleStage = 'unplug' | 'plug-in' | 'touch';

export interface RecycleDeps {
  desk: RecycleDesk;
  journal: { append(event: AuditEvent): Promise<unknown>; probe?(): Promise<JournalHealthCode> };
  /** The model's name for an AAGUID (the keys catalogue). */
  modelOf(aaguid: string): string | null;
  /** Monotonic clock (ms). Default performance.now. */
  now?: () => number;
  /** How long each of "unplug" and "plug back in" may take. Default 60 s. */
  replugTimeoutMs?: number;
  /** CTAPHID silence allowed (ms). Default 3 s. */
  timeoutMs?: number;
}

export interface RecycleRequest {
  operator: { id: string; upn: string };
  /** Each stage as it starts; `plug-in` carries when the wait ends (the `now` clock). */
  onStage?: (stage: RecycleStage) => void;
  signal?: AbortSignal;
}

const outcome = (code: RecycleOutcome['code'], params: object = {}): RecycleOutcome => ({ code, params }) as RecycleOutcome;
const WINDOW_S = RESET_WINDOW_MS / 1000;

/** Resolves true once `ready()` holds, false after `timeoutMs`; rejects when aborted. */
function until(desk: RecycleDesk, ready: () => boolean, timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
  if (ready()) return Promise.resolve(true);
  return new Promise<boolean>((resolve, reject) => {
    const finish = (fn: () => void) => {
      clearTimeout(timer);
      off();
      signal?.removeEventListener('abort', aborted);
      fn();
    };
    const aborted = () => finish(() => reject(signal?.reason));
    const off = desk.onChange(() => {
      if (ready()) finish(() => resolve(true));
    });
    const timer = setTimeout(() => finish(() => resolve(false)), timeoutMs);
    if (signal?.aborted) aborted();
    else signal?.addEventListener('abort', aborted, { once: true });
  });
}

function fromFailure(e: unknown): RecycleOutcome {
  const status = e instanceof Ctap2Error || e instanceof Ctap2StatusError ? e.status : null;
  if (status === Ctap2Status.NotAllowed) return outcome('recycle.too-late', { seconds: WINDOW_S });
  if (status === Ctap2Status.OperationDenied) return outcome('recycle.denied');
  if (status === Ctap2Status.UserActionTimeout || status === Ctap2Status.ActionTimeout) return outcome('recycle.no-touch');
  if (status === Ctap2Status.InvalidCommand || status === Ctap2Status.UnsupportedOption) return outcome('recycle.unsupported');
  if (status !== null) return outcome('recycle.error', { status: statusName(status).slice(0, 40) });
  if (e instanceof DeviceGoneError || e instanceof ChannelClosedError || e instanceof TimeoutError) return outcome('recycle.unplugged');
  return outcome('recycle.error', { status: 'unexpected' });
}

export async function recycleKey(deps: RecycleDeps, req: RecycleRequest): Promise<RecycleOutcome> {
  const now = deps.now ?? (() => performance.now());
  const wait = deps.replugTimeoutMs ?? 60_000;
  const { desk } = deps;
  const signal = req.signal;
  const options = signal ? { signal } : {};
  const health = (await deps.journal.probe?.()) ?? 'ok';
  if (health !== 'ok') return outcome('recycle.journal');

  // The reset window opens at power-up: the key must be unplugged (if it is in) and plugged back in.
  req.onStage?.('unplug');
  if (!(await until(desk, () => desk.state().presence === 'none', wait, signal))) return outcome('recycle.not-replugged', { seconds: Math.ceil(wait / 1000) });
  req.onStage?.('plug-in');
  if (!(await until(desk, () => desk.state().presence === 'one', wait, signal))) return outcome('recycle.not-replugged', { seconds: Math.ceil(wait / 1000) });
  const pluggedAt = now();
  const present = desk.state().keys[0];
  if (!present) return outcome('recycle.unplugged');

  let channel: CtapHidChannel | undefined;
  let device: HidDevice | undefined;
  try {
    device = await desk.open(present.id);
    channel = await CtapHidChannel.open(device, { timeoutMs: deps.timeoutMs ?? 3_000, ...options });
    const read = await getInfo(channel, options);
    if (read.kind !== 'fido2') return outcome('recycle.unsupported');
    if (now() - pluggedAt > RESET_WINDOW_MS) return outcome('recycle.too-late', { seconds: WINDOW_S });
    let asked = false;
    await reset(new Ctap2Session(channel), {
      ...options,
      onTouchNeeded: () => {
        if (!asked) req.onStage?.('touch');
        asked = true;
      },
    });
    const { aaguid } = read.info;
    await deps.journal.append(
      auditEvents.keyRecycled({ operator: req.operator, aaguid, model: (deps.modelOf(aaguid) ?? 'Security key').slice(0, 120), vidPid: present.vidPid }),
    );
    return outcome('recycle.done');
  } catch (e) {
    if (signal?.aborted) throw signal.reason;
    return fromFailure(e);
  } finally {
    if (channel) await channel.close().catch(() => undefined);
    else await device?.close().catch(() => undefined);
  }
}
