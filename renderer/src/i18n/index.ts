import i18next from 'i18next';
import { initReactI18next, useTranslation } from 'react-i18next';
import type { Msg } from '../lib/messages';
import de from './de.json';
import en from './en.json';

export type Language = 'en' | 'de';

/** Both languages are bundled (a few kB): no network, no async loading, no flash of keys. */
export const i18n = i18next.createInstance();
void i18n.use(initReactI18next).init({
  resources: { en: { translation: en }, de: { translation: de } },
  lng: 'en',
  fallbackLng: 'en',
  initAsync: false,
  interpolation: { escapeValue: false },
  returnNull: false,
});

/** `t` plus `m(msg)`: a code from main, translated (test/renderer/i18n.test.ts: every code has its words). */
export function useT() {
  const { t } = useTranslation();
  const m = (msg: Msg): string => String(t(msg.key, msg.params ?? {}));
  return { t, m, lang: i18n.language as Language };
}
