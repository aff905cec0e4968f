/**
 * The pass as the hand-over screen shows it: blocks of four characters for reading aloud, and a spelled-out
 * reading for screen readers. Pure; never stores or logs what it is given.
 */

/** Blocks of `size` characters (whitespace removed), e.g. "Ab3dEf7h" → ["Ab3d", "Ef7h"]. */
export function groupPass(pass: string, size = 4): string[] {
  if (!Number.isInteger(size) || size < 1) throw new RangeError('size must be a positive integer');
  const chars = [...pass.replace(/\s+/g, '')];
  const out: string[] = [];
  for (let i = 0; i < chars.length; i += size) out.push(chars.slice(i, i + size).join(''));
  return out;
}

export type CharKind = 'upper' | 'lower' | 'digit' | 'symbol';

/** One character as it is read aloud: "capital A", "lower-case b", "3", "hash". */
export interface SpokenChar {
  kind: CharKind;
  char: string;
  /** For symbols with a name in the i18n files (symbol.<name>); null: read the character itself. */
  symbol: string | null;
}

const SYMBOLS: Record<string, string> = {
  '!': 'exclamation',
  '@': 'at',
  '#': 'hash',
  $: 'dollar',
  '%': 'percent',
  '&': 'ampersand',
  '*': 'asterisk',
  '+': 'plus',
  '-': 'hyphen',
  '=': 'equals',
  '?': 'question',
  _: 'underscore',
  '.': 'dot',
  ':': 'colon',
  '/': 'slash',
};

export function classifyChar(char: string): SpokenChar {
  if (/^\p{Nd}$/u.test(char)) return { kind: 'digit', char, symbol: null };
  if (/^\p{Lu}$/u.test(char)) return { kind: 'upper', char, symbol: null };
  if (/^\p{Ll}$/u.test(char)) return { kind: 'lower', char, symbol: null };
  return { kind: 'symbol', char, symbol: SYMBOLS[char] ?? null };
}

/** The pass's blocks, each as the characters to read aloud. */
export function spellPass(pass: string, size = 4): SpokenChar[][] {
  return groupPass(pass, size).map((block) => [...block].map(classifyChar));
}
