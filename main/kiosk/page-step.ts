/**
 * What the My Security Info view reports of a navigation: the URL's origin and path, nothing else. The guide
 * panel follows the hops between Microsoft's hosts (tap/view-progress.ts); nothing is read from the page, so
 * nothing depends on markup the real pages do not have. My Security Info comes back from sign-in with an
 * authorization code in the query or fragment, which must not travel to the session, the renderer or the journal.
 * No `electron` import.
 */

/** Origin and path only: query strings and fragments can carry codes and tokens. */
export function withoutSecrets(url: string): string {
  if (!URL.canParse(url)) return '';
  const parsed = new URL(url);
  return parsed.origin === 'null' ? '' : `${parsed.origin}${parsed.pathname}`;
}
