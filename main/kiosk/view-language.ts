/**
 * The language My Security Info and Microsoft's sign-in pages are shown in: the browser's own. Microsoft's sign-in
 * pages follow the browser's language when no `ui_locales` is given: company branding is customised "for users
 * who sign in using a specific browser language" (Microsoft Learn, "Customize browser language for authentication
 * experience", linked from the Graph `organizationalBrandingLocalization` resource), and the B2C/External ID
 * answer on Microsoft Q&A 1056774 quotes "If you don't provide a ui_locales parameter, the customer's experience
 * is dictated by their browser's settings". The registration hop carries its own `mkt` parameter
 * (`login.microsoft.com/…/fido/create?mkt=de-DE`, ente-io/ente#9393), set by My Security Info from its own
 * language, so the view sets only the browser's. [INF] that My Security Info (a single-page app) reads the same
 * browser preference is inferred, not documented; a first live check opens it with German in the kiosk.
 */
export type ViewLanguage = 'en' | 'de';

/** The BCP 47 tag the view's browser reports first (Chromium's `locale`, navigator.language). */
export function viewLocale(language: ViewLanguage): string {
  return language === 'de' ? 'de-DE' : 'en-US';
}

/** The Accept-Language list for the view's session: the kiosk's language first, English as the fallback. */
export function acceptLanguages(language: ViewLanguage): string {
  return language === 'de' ? 'de-DE,de,en-US,en' : 'en-US,en';
}
