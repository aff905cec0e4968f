/**
 * The guide panel follows the user through My Security Info by the page's step marker (`data-step` on
 * `<body>`, e.g. `sign-in-tap`, `security-key-type`, `webauthn`, `name-key`, `done`; see the emulator's
 * test/emulator/mysignins/index.ts). The view reads it with one constant script (never built from data) in an
 * isolated world, so the page's own scripts cannot redefine what the read sees; the answer still comes from an
 * untrusted page, so it is validated here before it leaves the view. No `electron` import.
 */

/** The only script the kiosk ever runs in the My Security Info page. Constant: nothing is interpolated. */
export const READ_STEP_SCRIPT = 'document.body?.dataset?.step ?? null';

/** An isolated world id of our own (Electron reserves 0 for the page and 999 for contextBridge preloads). */
export const STEP_WORLD_ID = 1001;

const STEP = /^[a-z0-9][a-z0-9-]{0,39}$/;

/** The step marker, or null for anything that is not a short lower-case token. */
export function parseStep(value: unknown): string | null {
  return typeof value === 'string' && STEP.test(value) ? value : null;
}

/** Origin and path only (see the header): query strings and fragments can carry codes and tokens. */
export function withoutSecrets(url: string): string {
  if (!URL.canParse(url)) return '';
  const parsed = new URL(url);
  return parsed.origin === 'null' ? '' : `${parsed.origin}${parsed.pathname}`;
}
