import { describe, expect, it } from 'vitest';
import { acceptLanguages, viewLocale } from '../../main/kiosk/view-language';

describe("My Security Info's language", () => {
  it('German first with English as the fallback; English alone for English', () => {
    expect(acceptLanguages('de')).toBe('de-DE,de,en-US,en');
    expect(viewLocale('de')).toBe('de-DE');
    expect(acceptLanguages('en')).toBe('en-US,en');
    expect(viewLocale('en')).toBe('en-US');
  });
});
