/**
 * What keeps the operator from slipping (issue "At the desk", part 3), as pure functions of the snapshot: what on
 * the identity card blocks at once, what pre-flight's verdict says when checks could not be made, and who must
 * change which setting when Microsoft refuses the pass. Each returns translation keys (i18n/{en,de}.json).
 */
import type { PreflightCheck } from '../../../common/codes';
import type { IdentityCard } from '../../../common/directory';
import type { OperatorView, SessionError, SessionSnapshot } from '../../../common/session';
import type { Msg } from './messages';

/** Why the person cannot be served at this desk at all, known from the card alone; null when nothing blocks. */
export type IdentityBlock = 'self' | 'disabled' | 'external-guest' | 'guest' | 'operator-role';

/**
 * The first block, in the order the operator can act on it: their own account and their own role first (another
 * operator must serve), then the account (an administrator can enable it), then guests (nothing here can change).
 * Passkeys cannot be registered by guests (Microsoft Learn, "Enable passkeys (FIDO2) for your organization"), and a
 * Temporary Access Pass is not issued to external guests: main/enrollment/preflight.ts's `not-guest` and
 * `not-external-guest` checks, here before an ID document is chosen.
 */
export function identityBlock(user: IdentityCard, operator: OperatorView | null): IdentityBlock | null {
  if (operator && operator.id === user.id) return 'self';
  if (operator && operator.capability === 'none') return 'operator-role';
  if (!user.accountEnabled) return 'disabled';
  if (user.isExternalGuest) return 'external-guest';
  if (user.userType === 'Guest') return 'guest';
  return null;
}

/** Pre-flight findings that mean "the operator's role cannot read this policy". */
const UNREADABLE: Readonly<Record<string, 'tap' | 'fido2'>> = {
  'tap-policy-enabled.unknown': 'tap',
  'lifetime-in-bounds.unknown': 'tap',
  'one-time.unknown': 'tap',
  'fido2-policy-enabled.unknown': 'fido2',
};

/**
 * The verdict line: never plain "Ready to issue" when a check could not be made. `goUnread-*` names the policies the
 * operator's role cannot read; `goUnchecked` is for other checks that could not be made (group targets, the role
 * against this user, a key that could not be read).
 */
export function verdictMsg(verdict: 'go' | 'refused', checks: readonly PreflightCheck[]): Msg {
  if (verdict === 'refused') return { key: 'preflight.verdict.refused' };
  const unread = new Set(checks.filter((c) => c.status === 'unknown').flatMap((c) => (UNREADABLE[c.finding] ? [UNREADABLE[c.finding]] : [])));
  if (unread.has('tap') && unread.has('fido2')) return { key: 'preflight.verdict.goUnread-both' };
  if (unread.has('tap')) return { key: 'preflight.verdict.goUnread-tap' };
  if (unread.has('fido2')) return { key: 'preflight.verdict.goUnread-fido2' };
  if (checks.some((c) => c.status === 'unknown')) return { key: 'preflight.verdict.goUnchecked' };
  return { key: 'preflight.verdict.go' };
}

/** Checks whose failure no one at the desk can change (guest, own account, own role): "Check again" is pointless. */
const FIXED: ReadonlySet<string> = new Set(['not-external-guest', 'not-guest', 'not-operator-self', 'operator-may-act']);

/** Whether "Check again" can change the verdict: false when every failed check is one nothing at the desk changes. */
export function recheckHelps(verdict: 'go' | 'refused', checks: readonly PreflightCheck[]): boolean {
  if (verdict === 'go') return true;
  return checks.some((c) => c.status === 'fail' && !FIXED.has(c.code));
}

/**
 * When Microsoft refused the pass: who must change which setting (null when the error names no setting). Roles are
 * Microsoft's built-in role names: the authentication method policies are managed by an Authentication Policy
 * Administrator; roles are assigned by a Privileged Role Administrator (Microsoft Learn, "Microsoft Entra built-in
 * roles").
 */
export function fixMsg(error: Pick<SessionError, 'code'>): Msg | null {
  switch (error.code) {
    case 'tap.policy-excludes-user':
    case 'tap.one-time-required':
    case 'tap.lifetime-refused':
    case 'tap.not-permitted-for-target':
    case 'tap.external-guest':
    case 'graph.forbidden':
      return { key: `fix.${error.code}` };
    default:
      return null;
  }
}

/** The key on the done screen as the person named it, with its model beside it ("Adele desk key (YubiKey 5 NFC)"). */
export function doneKeyMsg(registered: Extract<SessionSnapshot, { screen: 'done' }>['registered']): Msg {
  const name = registered.displayName?.trim() || null;
  const model = registered.model;
  if (name && model && name !== model) return { key: 'outcome.done.named', params: { name, model } };
  if (name && !model) return { key: 'outcome.done.namedNoModel', params: { name } };
  if (model) return { key: 'outcome.done.model', params: { model } };
  return { key: 'outcome.done.unknownModel' };
}
