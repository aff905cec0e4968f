/**
 * The language My Security Info and Microsoft's sign-in pages are shown in: the browser's own. Both follow the
 * browser's language preference (Accept-Language) when no language is forced by a parameter ("The sign-in page
 * is displayed in the language of the browser", Microsoft Learn, Company branding: "Language-specific content" —
 * the browser's language list decides which branding and strings are used). The registration hop's own `mkt`
 * parameter (`login.microsoft.com/…/fido/create?mkt=de-DE`, ente-io/ente#9393) is set by My Security Info itself
 * from the page's language, so the view only sets the browser's. [INF] that My Security Info (a single-page app)
 * reads the same preference is inferred from the sign-in pages' behaviour, not documented.
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
