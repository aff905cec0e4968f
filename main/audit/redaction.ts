/**
 * The last gate before a line reaches disk: refuse any line that contains a pass we were told about.
 *
 * The guard keeps only SHA-256 digests of each pass in every encoded form it could travel in (`encodedForms`:
 * raw, base64 and base64url at each of the three byte alignments, hex, percent-encoded, UTF-16LE, and each of
 * those JSON-escaped, since that is how it would appear inside a line), never the pass: a guard that outlives the
 * TAP holds nothing worth stealing. The leak scans of the tests (test/leaks/scan.ts) look for the same forms.
 * Checking is a slide over the line for each known pass length; lines are a few hundred bytes.
 */
import { createHash } from 'node:crypto';

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest('hex');

export class RedactionError extends Error {
  override readonly name = 'RedactionError';
  constructor() {
    super('audit record refused: it contains a Temporary Access Pass');
  }
}

export class RedactionGuard {
  /** length → digests of forbidden strings of that length. */
  readonly #forbidden = new Map<number, Map<string, number>>();

  /** Refuse this pass in every line from now on (call as soon as Graph returns it). */
  forbid(pass: string): void {
    for (const form of forms(pass)) {
      const byDigest = this.#forbidden.get(form.length) ?? new Map<string, number>();
      byDigest.set(digest(form), (byDigest.get(digest(form)) ?? 0) + 1);
      this.#forbidden.set(form.length, byDigest);
    }
  }

  /** Stop checking for this pass (after it was dropped and the TAP deleted). */
  forget(pass: string): void {
    for (const form of forms(pass)) {
      const byDigest = this.#forbidden.get(form.length);
      const key = digest(form);
      const count = byDigest?.get(key) ?? 0;
      if (count <= 1) byDigest?.delete(key);
      else byDigest?.set(key, count - 1);
      if (byDigest?.size === 0) this.#forbidden.delete(form.length);
    }
  }

  get size(): number {
    let n = 0;
    for (const byDigest of this.#forbidden.values()) n += byDigest.size;
    return n;
  }

  /** Whether `text` contains any forbidden pass. */
  contains(text: string): boolean {
    for (const [length, byDigest] of this.#forbidden) {
      for (let i = 0; i + length <= text.length; i += 1) {
        if (byDigest.has(digest(text.slice(i, i + length)))) return true;
      }
    }
    return false;
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
