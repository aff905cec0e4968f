// What `npm run demo:web` says about itself: each demo operator with their roles and what signing in as them shows,
// and, in headless mode, which parts the demo plays and how to take them over. Pure (tested in harness.test.ts).
import { capabilityOf, mayReadPoliciesWith, roleDisplayName } from '../../main/operator/roles';

export interface DemoOperator {
  upn: string;
  password: string;
  displayName: string;
  /** Active roleTemplateIds, direct or through a role-assignable group. */
  roles: string[];
}

/** What signing in as this operator shows, from what their roles let them do at the station (main/operator/roles.ts). */
export function whatItShows(roles: readonly string[]): string {
  const reads = mayReadPoliciesWith(roles);
  switch (capabilityOf(roles)) {
    case 'members-and-admins':
      return reads
        ? 'the whole flow for anyone, administrators too; pre-flight fully checked'
        : 'the whole flow for anyone, administrators too (Adele Vance); pre-flight "Ready — not fully checked" (the role cannot read the policies)';
    case 'members-only':
      return 'passes for members only: an administrator (Adele Vance) is blocked on the identity card; pre-flight "Ready — not fully checked"';
    case 'none':
      return reads
        ? 'reads the policies but may not issue a pass: told so before searching, with the role needed'
        : 'no role that may issue a pass: told so before searching, with the role needed';
  }
}

/** One block per operator: user name and password, roles, what it shows. */
export function describeOperators(operators: readonly DemoOperator[]): string {
  return operators
    .map((op) => {
      const roles = op.roles.length > 0 ? op.roles.map((id) => roleDisplayName(id)).join(', ') : 'no directory role';
      return `  ${op.upn.padEnd(48)} ${op.password}\n      ${op.displayName}: ${roles}\n      shows: ${whatItShows(op.roles)}`;
    })
    .join('\n');
}

/** The note above the kiosk page in headless mode: which parts the demo plays, and how to take them over. */
export function headlessNotice(operator: Pick<DemoOperator, 'displayName' | 'upn'> | null): string {
  const signIn = operator
    ? `the operator's sign-in: when you press "Sign in", it signs in as ${operator.displayName} (${operator.upn});`
    : `no operator sign-in (the emulator has no demo operator);`;
  return [
    'Demo, headless: the sign-in page and My Security Info run in a hidden browser, and the demo plays them —',
    `• ${signIn}`,
    '• the person at the desk: after "Handed over" it signs in to My Security Info with the pass and registers a virtual security key.',
    'To do these yourself, run "npm run demo:web" where a display exists, without --headless: both open as windows. ' +
      '"--operator <user name>" chooses whom the demo signs in as.',
  ].join('\n');
}
