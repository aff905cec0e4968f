/**
 * The last gate before a line reaches disk: refuse any line that contains a pass we were told about.
 *
 * The guard keeps only SHA-256 digests of each pass (raw and JSON-escaped, since that is how it would
 * appear inside a line), never the pass: a guard that outlives the TAP holds nothing worth stealing.
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

/** The pass as typed, and as JSON would escape it inside a string. */
function forms(pass: string): string[] {
  if (pass.length === 0) return [];
  const escaped = JSON.stringify(pass).slice(1, -1);
  return escaped === pass ? [pass] : [pass, escaped];
}
