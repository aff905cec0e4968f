// The tenant's passkey policy as key readiness needs it. Its own file, free of Node types, because the renderer's
// type graph reaches it through common/directory.ts (the session snapshot carries identity cards).
/** The tenant's passkey (FIDO2) policy, as Graph's fido2AuthenticationMethodConfiguration returns it. */
export interface Fido2KeyPolicy {
  readonly state: 'enabled' | 'disabled';
  readonly isSelfServiceRegistrationAllowed: boolean;
  /** Deprecated in Graph in favour of passkey profiles, still returned. */
  readonly isAttestationEnforced: boolean;
  readonly keyRestrictions?: {
    readonly isEnforced: boolean;
    readonly enforcementType: 'allow' | 'block';
    /** AAGUIDs, any case. */
    readonly aaGuids: readonly string[];
  } | null;
}
