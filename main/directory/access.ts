// What a Graph call needs and why Graph refused it: the forbidden-cause analysis. Graph's 403 body does not tell a
// missing consent, a missing role and a target out of reach apart; what the station knows about the operator does
// (`AccessFacts`, injected by the station), read against what each call needs (`ACCESS_NEEDS`). errors.ts puts the
// cause on the DirectoryError of a 403 (`fromResponse`); nothing here words a message.
import type { OperatorCapability } from '../../common/operator';

/**
 * Why Graph answered 403. Graph's body does not say: the same body comes back for a permission the app was not
 * consented (the token lacks the scope) and for a directory role the operator lacks, on each workload:
 *   - directory (users): 403 `Authorization_RequestDenied` "Insufficient privileges to complete the operation."
 *     — for a missing `User.Read.All` (Azure-Samples/ms-identity-python-daemon#8: "Needed User.Read.All") and with
 *     the scopes present (microsoftgraph/microsoft-graph-docs-contrib#8353: "I checked the scopes of the token");
 *   - authentication methods and their policies: 403 `accessDenied` "Request Authorization failed" — for an
 *     Authentication Administrator the SDK's token did not carry the scope for (microsoftgraph/msgraph-sdk-go#441);
 *   - a target the operator's role does not reach (an administrator, for an Authentication Administrator: "except
 *     themselves … Privileged Authentication Administrator" in the write-others role table, entra-graph.md 1.4).
 * So the cause is read from the answer together with what the station knows (`AccessFacts`): the permissions in
 * the operator's token and the operator's roles, against what the call needs (`AccessNeed`).
 */
export type ForbiddenCause =
  /** The operator's token lacks every permission the call accepts: the app registration needs consent. */
  | 'missing-permission'
  /** The operator holds no directory role the call documents. */
  | 'missing-role'
  /** The operator's role does not reach this person (needs Privileged Authentication Administrator). */
  | 'target-out-of-reach';

/** What a Graph call needs: any one of `permissions` (narrowest first), and the kind of role. */
export interface AccessNeed {
  permissions: readonly string[];
  /** `none`: no directory role needed (reading users); `read-methods`: another user's methods; `write-methods`:
   *  changing another user's methods or sessions; `read-policies`: the authentication methods policies. */
  role: 'none' | 'read-methods' | 'write-methods' | 'read-policies';
}

/** What the station knows about the operator when a call is refused. */
export interface AccessFacts {
  /** The delegated permissions in the operator's access token (`scp`, any case); null when not known. */
  grantedPermissions: readonly string[] | null;
  capability: OperatorCapability;
  mayReadPolicies: boolean;
}

/** The cause of a 403 for a call with `need`, given `facts`; undefined when the facts do not explain it. */
export function forbiddenCause(need: AccessNeed, facts: AccessFacts | null | undefined): ForbiddenCause | undefined {
  if (!facts) return undefined;
  if (facts.grantedPermissions !== null) {
    const granted = new Set(facts.grantedPermissions.map((p) => p.toLowerCase()));
    if (!need.permissions.some((p) => granted.has(p.toLowerCase()))) return 'missing-permission';
  }
  switch (need.role) {
    case 'none':
      return undefined;
    case 'read-policies':
      return facts.mayReadPolicies ? undefined : 'missing-role';
    case 'read-methods':
      // Global Reader reads others' methods without a capability to issue (it may read the policies too).
      return facts.capability === 'none' && !facts.mayReadPolicies ? 'missing-role' : undefined;
    case 'write-methods':
      if (facts.capability === 'none') return 'missing-role';
      return facts.capability === 'members-only' ? 'target-out-of-reach' : undefined;
  }
}

/**
 * What each call needs: any one of the permissions (the narrowest the station asks for first: the one to consent
 * when none is there) and the kind of directory role. From the permission tables and role lists of each API's
 * Microsoft Learn page (docs/reference/entra-graph.md 1.4, 4.1, 5.1 and §0 "Least-privileged delegated permissions").
 */
export const ACCESS_NEEDS = {
  readUsers: { permissions: ['User.Read.All', 'User.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'], role: 'none' },
  readTaps: {
    permissions: [
      'UserAuthMethod-TAP.ReadWrite.All',
      'UserAuthMethod-TAP.Read.All',
      'UserAuthenticationMethod.ReadWrite.All',
      'UserAuthenticationMethod.Read.All',
    ],
    role: 'read-methods',
  },
  writeTaps: { permissions: ['UserAuthMethod-TAP.ReadWrite.All', 'UserAuthenticationMethod.ReadWrite.All'], role: 'write-methods' },
  readPasskeys: {
    permissions: [
      'UserAuthMethod-Passkey.ReadWrite.All',
      'UserAuthMethod-Passkey.Read.All',
      'UserAuthenticationMethod.ReadWrite.All',
      'UserAuthenticationMethod.Read.All',
    ],
    role: 'read-methods',
  },
  writePasskeys: { permissions: ['UserAuthMethod-Passkey.ReadWrite.All', 'UserAuthenticationMethod.ReadWrite.All'], role: 'write-methods' },
  readPolicies: { permissions: ['Policy.Read.AuthenticationMethod', 'Policy.ReadWrite.AuthenticationMethod'], role: 'read-policies' },
  revokeSessions: { permissions: ['User.RevokeSessions.All', 'User.ReadWrite.All', 'Directory.ReadWrite.All'], role: 'write-methods' },
} as const satisfies Record<string, AccessNeed>;
