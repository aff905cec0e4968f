// The signed-in operator, as the rest of the app sees them.

/** What the operator's active directory roles let them do at this station (entra-graph.md 1.4). */
export type OperatorCapability =
  /** Privileged Authentication Administrator or Global Administrator: members and admins, never themselves. */
  | 'members-and-admins'
  /** Authentication Administrator: members without admin roles, outside role-assignable groups. */
  | 'members-only'
  /** No role that may issue a TAP: the station says so and offers sign-out. */
  | 'none';

export interface OperatorIdentity {
  id: string;
  userPrincipalName: string;
  displayName: string;
  /** roleTemplateIds of the active directory roles. */
  roleTemplateIds: string[];
  /** Display names of those roles, for the screen and the audit record. */
  roleNames: string[];
  capability: OperatorCapability;
  /** Whether the operator may read the authentication methods policies (Global Reader, Authentication Policy
   *  Administrator, Global Administrator). Others get 403, and pre-flight says so instead of guessing. */
  mayReadPolicies: boolean;
  /**
   * Where the roles were read: `directory` (Graph, transitive, current) or `token` (the `wids` claim, used only
   * when the Graph call failed: it says what the identity provider knew when it issued the token, and may be stale).
   * Optional so fakes need not set it; the real session always does.
   */
  rolesFrom?: 'directory' | 'token';
}
