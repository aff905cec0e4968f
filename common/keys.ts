// The tenant's passkey policy as key readiness needs it. Its own file, free of Node types, because the renderer's
// type graph reaches it through common/directory.ts (the session snapshot carries identity cards).
//
// Graph v1.0's fido2AuthenticationMethodConfiguration carries the key rules in two forms (Microsoft's CSDL,
// test/fixtures/graph-metadata/v1.0-Prod.csdl; Microsoft Learn, "fido2AuthenticationMethodConfiguration resource
// type" and "passkeyProfile resource type"):
// - the legacy, tenant-wide form: `isAttestationEnforced` and `keyRestrictions`, both deprecated since 2025-10-15
//   ("will stop returning data on October 15, 2027. Please use passkeyProfiles property.");
// - passkey profiles: `passkeyProfiles` (each with `attestationEnforcement`, `keyRestrictions`, `passkeyTypes`),
//   `defaultPasskeyProfile`, and on each include target `allowedPasskeyProfiles` (profile ids).
// The CSDL marks every one of these nullable (or absent in an older answer), so each is optional here; which
// rules apply to a person is decided in main/keys/readiness.ts (`keyRulesFor`).

/** `fido2RestrictionEnforcementType`, with the member Graph may add later. */
export type KeyEnforcementType = 'allow' | 'block' | 'unknownFutureValue';
/** `attestationEnforcement`. */
export type AttestationEnforcement = 'disabled' | 'registrationOnly' | 'unknownFutureValue';

/** `fido2KeyRestrictions`: every property nullable in the CSDL. */
export interface KeyRestrictions {
  readonly isEnforced: boolean | null;
  readonly enforcementType: KeyEnforcementType | null;
  /** AAGUIDs, any case. */
  readonly aaGuids: readonly string[];
}

/** One `passkeyProfile`. */
export interface PasskeyProfile {
  readonly id: string;
  readonly name: string | null;
  /** Not nullable in the CSDL; an answer without it is read as unknown (`unknownFutureValue`). */
  readonly attestationEnforcement: AttestationEnforcement;
  readonly keyRestrictions: KeyRestrictions | null;
  /** `passkeyTypes` flags (`deviceBound`, `synced`, `unknownFutureValue`); null when Graph did not say. */
  readonly passkeyTypes: readonly string[] | null;
}

/** An include target as the key rules read it: whom it covers and which passkey profiles it allows. */
export interface PasskeyTarget {
  readonly targetType: string;
  readonly id: string;
  /** `allowedPasskeyProfiles` (passkeyAuthenticationMethodTarget); absent or null in the legacy form. */
  readonly allowedPasskeyProfiles?: readonly string[] | null;
}

/** The tenant's passkey (FIDO2) policy, as Graph's fido2AuthenticationMethodConfiguration returns it. */
export interface Fido2KeyPolicy {
  readonly state: 'enabled' | 'disabled';
  readonly isSelfServiceRegistrationAllowed: boolean;
  /** Legacy form (deprecated in Graph in favour of passkey profiles); null or absent when Graph does not send it. */
  readonly isAttestationEnforced?: boolean | null;
  /** Legacy form, likewise. */
  readonly keyRestrictions?: KeyRestrictions | null;
  /** Passkey profiles; absent, null or empty on a tenant not migrated to them. */
  readonly passkeyProfiles?: readonly PasskeyProfile[] | null;
  /** The id of the baseline profile. */
  readonly defaultPasskeyProfile?: string | null;
  readonly includeTargets?: readonly PasskeyTarget[];
}
