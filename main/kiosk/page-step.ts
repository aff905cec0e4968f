/**
 * What the My Security Info view reports of a navigation: the URL's origin and path, nothing else. The guide
 * panel follows the hops between Microsoft's hosts (tap/view-progress.ts); nothing is read from the page, so
 * nothing depends on markup the real pages do not have. The one thing done in the page, on request, is focusing
 * the user-name field so the kiosk can type the user name in (`FOCUS_USER_NAME_FIELD`). My Security Info comes back from sign-in with an
 * authorization code in the query or fragment, which must not travel to the session, the renderer or the journal.
 * No `electron` import.
 */

/**
 * The sign-in page's user-name field: `loginfmt` on login.microsoftonline.com (the name the real page gives it,
 * observed; Microsoft does not document its markup), `autocomplete="username"` as the HTML standard names a user-name
 * field (the emulator's page has that).
 */
export const USER_NAME_FIELD = 'input[name="loginfmt"], input[autocomplete~="username"]';

/**
 * Page code that focuses the user-name field, its text selected (what is typed next replaces it), and answers only
 * whether it did. It reads nothing else and carries no value: the user name is typed in afterwards as keystrokes
 * (`insertText`), as the person would, so the page's own scripts see ordinary input.
 */
export const FOCUS_USER_NAME_FIELD = `(() => {
  const field = [...document.querySelectorAll(${JSON.stringify(USER_NAME_FIELD)})].find(
    (f) => f instanceof HTMLInputElement && !f.disabled && !f.readOnly && f.type !== 'hidden' && f.getClientRects().length > 0,
  );
  if (!field) return false;
  field.focus();
  field.select();
  return document.activeElement === field;
})()`;

/** Origin and path only: query strings and fragments can carry codes and tokens. */
export function withoutSecrets(url: string): string {
  if (!URL.canParse(url)) return '';
  const parsed = new URL(url);
  return parsed.origin === 'null' ? '' : `${parsed.origin}${parsed.pathname}`;
}
