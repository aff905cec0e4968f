/**
 * The PIN pad's entry, as a pure function of the keys pressed (the on-screen digits and the physical keyboard
 * press the same keys): digits up to the maximum, erase, clear, and Enter, which either asks for the same PIN again
 * (a PIN chosen here) or hands over the PIN once. The pad shows only `entry.length`.
 */
export interface PinEntry {
  readonly entry: string;
  /** A PIN chosen here: the first entry while the person types it again. */
  readonly first: string | null;
  readonly tooShort: boolean;
}
export type PinKey = '0' | '1' | '2' | '3' | '4' | '5' | '6' | '7' | '8' | '9' | 'erase' | 'clear' | 'enter';
export interface PinRules {
  readonly isNew: boolean;
  readonly minLength: number;
  readonly maxLength: number;
}

export const EMPTY_ENTRY: PinEntry = { entry: '', first: null, tooShort: false };

/** The physical key → the pad's key, or null for a key the pad ignores. */
export function pinKeyOf(key: string): PinKey | null {
  if (/^[0-9]$/.test(key)) return key as PinKey;
  return key === 'Backspace' ? 'erase' : key === 'Escape' ? 'clear' : key === 'Enter' ? 'enter' : null;
}

/** The next entry, and the PIN (with its confirmation for a PIN chosen here) when it is handed over. */
export function pressPin(s: PinEntry, key: PinKey, rules: PinRules): { next: PinEntry; submit?: { pin: string; confirm?: string } } {
  switch (key) {
    case 'erase':
      return { next: { ...s, entry: s.entry.slice(0, -1), tooShort: false } };
    case 'clear':
      return { next: EMPTY_ENTRY };
    case 'enter': {
      if (s.entry.length < rules.minLength) return { next: { ...s, tooShort: true } };
      if (rules.isNew && s.first === null) return { next: { entry: '', first: s.entry, tooShort: false } };
      const submit = s.first === null ? { pin: s.entry } : { pin: s.first, confirm: s.entry };
      return { next: EMPTY_ENTRY, submit };
    }
    default:
      return { next: { ...s, entry: s.entry.length < rules.maxLength ? s.entry + key : s.entry, tooShort: false } };
  }
}
