/**
 * The last gate before a line reaches disk: refuse any line that contains a pass we were told about.
 *
 * The guard keeps only SHA-256 digests of each pass in every encoded form it could travel in (`encodedForms`:
 * raw, base64 and base64url at each of the three byte alignments, hex, percent-encoded, UTF-16LE, and each of
 * those JSON-escaped, since that is how it would appear inside a line), never the pass: a guard that outlives the
 * TAP holds nothing worth stealing. The leak scans of the tests (test/leaks/scan.ts) look for the same forms.
 *
 * Checking is a slide over the line for each known pass length (lines are a few hundred characters). A SHA-256 at
 * every position was most of the app's time around the TAP creation (two records, ~5 ms each here), so the slide
 * first compares a 32-bit rolling fingerprint (polynomial over UTF-16 code units, with a random base per guard),
 * and hashes only where a forbidden form's fingerprint matches. Equal text has an equal fingerprint, so nothing is
 * missed; the SHA-256 still decides. The fingerprints say no more about a pass than its SHA-256 digest already does.
 */
import { createHash, randomInt } from 'node:crypto';

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest('hex');

export class RedactionError extends Error {
  override readonly name = 'RedactionError';
  constructor() {
    super('audit record refused: it contains a Temporary Access Pass');
  }
}

/** Forbidden forms of one length: their digests, and their fingerprints (each counted, for `forget`). */
interface OfLength {
  digests: Map<string, number>;
  prints: Map<number, number>;
  /** base^(length−1) mod 2^32: what the character leaving the window weighed. */
  outWeight: number;
}

const countUp = <K>(map: Map<K, number>, key: K): void => void map.set(key, (map.get(key) ?? 0) + 1);
const countDown = <K>(map: Map<K, number>, key: K): void => {
  const count = map.get(key) ?? 0;
  if (count <= 1) map.delete(key);
  else map.set(key, count - 1);
};

export class RedactionGuard {
  /** length → the forbidden strings of that length. */
  readonly #forbidden = new Map<number, OfLength>();
  /** Odd, so that multiplying by it loses nothing mod 2^32. */
  readonly #base = randomInt(1 << 16, 2 ** 31) | 1;

  /** Refuse this pass in every line from now on (call as soon as Graph returns it). */
  forbid(pass: string): void {
    for (const form of forms(pass)) {
      const of = this.#forbidden.get(form.length) ?? { digests: new Map(), prints: new Map(), outWeight: this.#power(form.length - 1) };
      countUp(of.digests, digest(form));
      countUp(of.prints, this.#print(form, 0, form.length));
      this.#forbidden.set(form.length, of);
    }
  }

  /** Stop checking for this pass (after it was dropped and the TAP deleted). */
  forget(pass: string): void {
    for (const form of forms(pass)) {
      const of = this.#forbidden.get(form.length);
      if (!of) continue;
      countDown(of.digests, digest(form));
      countDown(of.prints, this.#print(form, 0, form.length));
      if (of.digests.size === 0) this.#forbidden.delete(form.length);
    }
  }

  get size(): number {
    let n = 0;
    for (const of of this.#forbidden.values()) n += of.digests.size;
    return n;
  }

  /** Whether `text` contains any forbidden pass. */
  contains(text: string): boolean {
    for (const [length, of] of this.#forbidden) {
      if (length > text.length) continue;
      let print = this.#print(text, 0, length);
      for (let i = 0; ; i += 1) {
        if (of.prints.has(print) && of.digests.has(digest(text.slice(i, i + length)))) return true;
        if (i + length >= text.length) break;
        // Slide one code unit: drop text[i], take in text[i + length].
        print = (Math.imul((print - Math.imul(text.charCodeAt(i), of.outWeight)) | 0, this.#base) + text.charCodeAt(i + length)) >>> 0;
      }
    }
    return false;
  }

  /** The fingerprint of text[from, to): Σ code unit · base^(to−1−k), mod 2^32. */
  #print(text: string, from: number, to: number): number {
    let print = 0;
    for (let k = from; k < to; k += 1) print = (Math.imul(print, this.#base) + text.charCodeAt(k)) >>> 0;
    return print;
  }

  #power(exponent: number): number {
    let out = 1;
    for (let k = 0; k < exponent; k += 1) out = Math.imul(out, this.#base) >>> 0;
    return out;
  }

  /** Throw `RedactionError` if `text` contains a forbidden pass. */
  check(text: string): void {
    if (this.contains(text)) throw new RedactionError();
  }
}

export interface EncodedForm {
  /** raw, base64, base64url, hex, HEX, percent, percent-lower, utf16le. */
  encoding: string;
  text: string;
}

/**
 * Every form in which the pass could be embedded in text, as text. base64/base64url: the pass may start at any
 * byte of a longer encoded blob, so for each of the three alignments the characters that depend on the pass's
 * bytes alone. UTF-16LE: its bytes read as latin1 (how it shows in a file read as bytes, or in a string that
 * carries them). Percent-encoding with upper- and lower-case hex.
 */
export function encodedForms(pass: string): EncodedForm[] {
  if (pass.length === 0) return [];
  const bytes = Buffer.from(pass, 'utf8');
  const out: EncodedForm[] = [{ encoding: 'raw', text: pass }];
  for (let k = 0; k < 3; k += 1) {
    const b64 = Buffer.concat([Buffer.alloc(k), bytes])
      .toString('base64')
      .replace(/=+$/, '');
    const stable = b64.slice(Math.ceil((8 * k) / 6), Math.floor((8 * (k + bytes.length)) / 6));
    out.push({ encoding: 'base64', text: stable }, { encoding: 'base64url', text: stable.replace(/\+/g, '-').replace(/\//g, '_') });
  }
  const hex = bytes.toString('hex');
  out.push({ encoding: 'hex', text: hex }, { encoding: 'HEX', text: hex.toUpperCase() });
  const percent = [...bytes].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join('');
  out.push({ encoding: 'percent', text: encodeURIComponent(pass) }, { encoding: 'percent-all', text: percent });
  out.push({ encoding: 'percent-lower', text: encodeURIComponent(pass).replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()) });
  out.push({ encoding: 'utf16le', text: Buffer.from(pass, 'utf16le').toString('latin1') });
  const unique = new Map<string, EncodedForm>();
  for (const form of out) if (form.text.length > 0 && !unique.has(form.text)) unique.set(form.text, form);
  return [...unique.values()];
}

/** Each encoded form, and as JSON would escape it inside a string. */
function forms(pass: string): string[] {
  const all = new Set<string>();
  for (const { text } of encodedForms(pass)) {
    all.add(text);
    all.add(JSON.stringify(text).slice(1, -1));
  }
  return [...all];
}
