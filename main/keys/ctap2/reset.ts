/**
 * authenticatorReset (0x07), CTAP 2.1 §6.6: erases every credential and the PIN. Keys accept it only shortly
 * after power-up (NOT_ALLOWED later than 10 s after plug-in) and only with a touch (keepalive UPNEEDED →
 * `onTouchNeeded`; no touch → USER_ACTION_TIMEOUT, refused → OPERATION_DENIED). So the station asks the
 * person to unplug the key, plug it back in and touch it, and sends reset right after the new INIT/getInfo.
 */
import { Ctap2Command } from './constants';
import type { Ctap2CallOptions, Ctap2Session } from './session';

/** How long after power-up keys accept reset (CTAP 2.1 §6.6: "within 10 seconds of powering up"). */
export const RESET_WINDOW_MS = 10_000;

export async function reset(session: Ctap2Session, options?: Ctap2CallOptions): Promise<void> {
  await session.call(Ctap2Command.reset, undefined, options);
}
