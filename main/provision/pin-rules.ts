/**
 * The rules for a PIN the person chooses at the desk, checked on the PIN's bytes before anything is sent to the
 * key: at least the key's minimum (getInfo minPINLength), the policy's and CTAP's 4 characters; at most CTAP's
 * 63 bytes; not one character repeated (111111); not a simple sequence up or down (123456, 654321, 890123); the
 * same twice. The PIN never becomes a JavaScript string here (strings cannot be wiped): its code points are
 * decoded into a typed array that is overwritten before returning.
 */
import { MAX_PIN_BYTES, MIN_PIN_LENGTH } from '../keys/ctap2/client-pin';
import type { ProvisionError } from '../../common/provision-codes';

/** The minimum the station asks for: the largest of CTAP's 4, the key's minPINLength and the policy's. */
export function minimumPinLength(keyMin: number | undefined, policyMin: number | undefined): number {
  return Math.max(MIN_PIN_LENGTH, keyMin ?? 0, policyMin ?? 0);
}

/** UTF-8 → code points (malformed bytes count as one code point each, as U+FFFD would). Wipe the result. */
function codePoints(bytes: Uint8Array): Uint32Array {
  const out = new Uint32Array(bytes.length);
  let n = 0;
  for (let i = 0; i < bytes.length;) {
    const b = bytes[i] ?? 0;
    const extra = b < 0x80 ? 0 : b >= 0xf0 ? 3 : b >= 0xe0 ? 2 : b >= 0xc0 ? 1 : 0;
    let cp = extra === 0 ? b : b & (0x3f >> extra);
    for (let k = 1; k <= extra && i + k < bytes.length; k++) cp = (cp << 6) | ((bytes[i + k] ?? 0) & 0x3f);
    out[n++] = cp;
    i += extra + 1;
  }
  const result = out.slice(0, n);
  out.fill(0);
  return result;
}

/** The same bytes, in time independent of where they differ. */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  let diff = a.length ^ b.length;
  for (let i = 0; i < Math.max(a.length, b.length); i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}

/** Each step +1 (or each −1), digits wrapping 9→0 and 0→9. */
function isSequence(cps: Uint32Array): boolean {
  if (cps.length < 3) return false;
  const digits = cps.every((c) => c >= 0x30 && c <= 0x39);
  const step = (a: number, b: number) => (digits ? (b - a + 10) % 10 : b - a);
  const first = step(cps[0] ?? 0, cps[1] ?? 0);
  if (first !== 1 && first !== (digits ? 9 : -1)) return false;
  for (let i = 2; i < cps.length; i++) if (step(cps[i - 1] ?? 0, cps[i] ?? 0) !== first) return false;
  return true;
}

/**
 * Why a new PIN is refused, or null. `confirm` is the second entry. Neither buffer is wiped here: the caller
 * owns them.
 */
export function checkNewPin(pin: Uint8Array, confirm: Uint8Array, minLength: number): ProvisionError | null {
  const min = Math.max(MIN_PIN_LENGTH, minLength);
  if (pin.length > MAX_PIN_BYTES) return { code: 'pin.too-long', params: {} };
  const cps = codePoints(pin);
  try {
    if (cps.length < min) return { code: 'pin.too-short', params: { min } };
    if (cps.every((c) => c === cps[0])) return { code: 'pin.all-same', params: {} };
    if (isSequence(cps)) return { code: 'pin.sequence', params: {} };
    if (!sameBytes(pin, confirm)) return { code: 'pin.mismatch', params: {} };
    return null;
  } finally {
    cps.fill(0);
  }
}
