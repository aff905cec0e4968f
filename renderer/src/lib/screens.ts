import type { Screen } from '../../../common/session';

/**
 * Screens that are one page to the operator (the search box stays while results come in; the card stays
 * while it loads). Focus moves to the new heading only when the group changes, so a snapshot arriving
 * mid-typing never steals focus.
 */
export function screenGroup(screen: Screen): string {
  switch (screen) {
    case 'ready':
    case 'searching':
    case 'search-results':
      return 'find';
    case 'loading-user':
    case 'identity':
    case 'checking':
      return 'verify';
    case 'preflight':
    case 'confirm-replace':
    case 'issuing':
      return 'preflight';
    case 'waiting-for-sign-in':
    case 'registering':
      return 'user-side';
    case 'done':
    case 'failed':
    case 'timed-out':
    case 'cancelled':
    case 'cleaning-up':
      return `outcome-${screen}`;
    default:
      return screen;
  }
}

/** The user's side sits beside My Security Info (Electron places that view with common/window-layout.ts). */
export function isBesideSecurityInfo(screen: Screen | null): boolean {
  return screen === 'waiting-for-sign-in' || screen === 'registering';
}

/** Which of the app's pages is shown: the session, the station status, today's enrollments, or (event mode) the
 *  roster and the full-screen board. */
export type View = 'session' | 'station' | 'today' | 'roster' | 'board';
