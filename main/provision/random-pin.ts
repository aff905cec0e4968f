/**
 * A PIN the operator sets for a key handed to someone who is not at the desk: random digits from `node:crypto`,
 * as long as the key's and the policy's minimum (and at least RANDOM_PIN_DIGITS), and never one that the person
 * would be refused choosing themselves (pin-rules.ts: not all the same, not a sequence). The key is then told to
 * demand a new PIN at first use (forceChangePin) where it can.
 *
 * The PIN is bytes (ASCII digits), never a string here; the caller overwrites them after use.
 */
import { randomInt } from 'node:crypto';
import { MAX_PIN_BYTES } from '../keys/ctap2/client-pin';
import { checkNewPin, minimumPinLength } from './pin-rules';

/** Long enough to be guessed in none of a key's 8 tries, short enough to read off a screen and type once. */
export const RANDOM_PIN_DIGITS = 8;

export function randomPin(keyMin: number | undefined, policyMin: number | undefined): Uint8Array {
  const length = Math.min(MAX_PIN_BYTES, Math.max(RANDOM_PIN_DIGITS, minimumPinLength(keyMin, policyMin)));
  const pin = new Uint8Array(length);
  for (;;) {
    for (let i = 0; i < length; i++) pin[i] = 0x30 + randomInt(10);
    if (checkNewPin(pin, pin, length) === null) return pin;
  }
}
