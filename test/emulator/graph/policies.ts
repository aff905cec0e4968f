// The authentication methods policy (entra-graph.md 2, 3): the TemporaryAccessPass and Fido2 configurations, and
// the policy that holds them. Reading needs a policy scope AND a role that may read it (Global Reader,
// Authentication Policy Administrator, Global Administrator): an Authentication Administrator alone gets 403,
// so the kiosk has to cope without the policy.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { EmulatorContext } from '../context';
import { accessDenied, notFound } from '../errors';
import { Role } from '../model';
import { authenticate, hasAnyScope } from './auth';
import { metadataBase } from './methods';

const POLICY_READ_SCOPES = ['Policy.Read.AuthenticationMethod', 'Policy.ReadWrite.AuthenticationMethod', 'Policy.Read.All'];
/** rbac-authentication-methods-policy-apis-read (the older TAP config doc adds Global Administrator). */
const POLICY_READ_ROLES: readonly string[] = [Role.GlobalReader, Role.AuthenticationPolicyAdministrator, Role.GlobalAdministrator];

const CONFIGS = '/policies/authenticationMethodsPolicy/authenticationMethodConfigurations';

export function registerPolicies(app: FastifyInstance, ctx: EmulatorContext): void {
  const authorize = async (req: FastifyRequest) => {
    const caller = await authenticate(req, ctx);
    if (!hasAnyScope(caller, POLICY_READ_SCOPES)) throw accessDenied();
    if (!ctx.state.rolesOf(caller.user).some((r) => POLICY_READ_ROLES.includes(r))) throw accessDenied();
  };

  const tapConfig = (req: FastifyRequest) => {
    const p = ctx.state.tapPolicy;
    return {
      '@odata.type': '#microsoft.graph.temporaryAccessPassAuthenticationMethodConfiguration',
      id: 'TemporaryAccessPass',
      state: p.state,
      defaultLifetimeInMinutes: p.defaultLifetimeInMinutes,
      defaultLength: p.defaultLength,
      minimumLifetimeInMinutes: p.minimumLifetimeInMinutes,
      maximumLifetimeInMinutes: p.maximumLifetimeInMinutes,
      isUsableOnce: p.isUsableOnce,
      'includeTargets@odata.context': `${metadataBase(req, ctx)}#policies/authenticationMethodsPolicy/authenticationMethodConfigurations('TemporaryAccessPass')/microsoft.graph.temporaryAccessPassAuthenticationMethodConfiguration/includeTargets`,
      includeTargets: p.includeTargets.map((t) => ({ targetType: t.targetType, id: t.id, isRegistrationRequired: t.isRegistrationRequired })),
      excludeTargets: p.excludeTargets.map((t) => ({ id: t.id, targetType: t.targetType })),
    };
  };

  // Both forms of fido2AuthenticationMethodConfiguration (v1.0 CSDL; Microsoft Learn, resource type and the update
  // example, which carries `passkeyProfiles` inline and `allowedPasskeyProfiles` on each include target). The
  // legacy `isAttestationEnforced` / `keyRestrictions` stay in the answer (deprecated, returned until 2027-10-15)
  // and are null where the tenant's model says Graph no longer returns them. Profiles appear only once the tenant
  // has them; that they come inline on GET like `includeTargets` is an assumption (the GET doc's example predates
  // them).
  const fido2Config = (req: FastifyRequest) => {
    const p = ctx.state.fido2Policy;
    const profiles = p.passkeyProfiles;
    return {
      '@odata.type': '#microsoft.graph.fido2AuthenticationMethodConfiguration',
      id: 'Fido2',
      state: p.state,
      isSelfServiceRegistrationAllowed: p.isSelfServiceRegistrationAllowed,
      isAttestationEnforced: p.isAttestationEnforced,
      keyRestrictions: p.keyRestrictions
        ? { isEnforced: p.keyRestrictions.isEnforced, enforcementType: p.keyRestrictions.enforcementType, aaGuids: [...p.keyRestrictions.aaGuids] }
        : null,
      defaultPasskeyProfile: p.defaultPasskeyProfile,
      'includeTargets@odata.context': `${metadataBase(req, ctx)}#policies/authenticationMethodsPolicy/authenticationMethodConfigurations('Fido2')/microsoft.graph.fido2AuthenticationMethodConfiguration/includeTargets`,
      includeTargets: p.includeTargets.map((t) => ({
        targetType: t.targetType,
        id: t.id,
        isRegistrationRequired: t.isRegistrationRequired,
        ...(profiles ? { allowedPasskeyProfiles: [...(t.allowedPasskeyProfiles ?? [])] } : {}),
      })),
      excludeTargets: p.excludeTargets.map((t) => ({ id: t.id, targetType: t.targetType })),
      ...(profiles
        ? {
            passkeyProfiles: profiles.map((profile) => ({
              id: profile.id,
              name: profile.name,
              // A flags enum in OData JSON: the member names, comma-separated.
              passkeyTypes: profile.passkeyTypes.join(','),
              attestationEnforcement: profile.attestationEnforcement,
              keyRestrictions: { ...profile.keyRestrictions, aaGuids: [...profile.keyRestrictions.aaGuids] },
            })),
          }
        : {}),
    };
  };

  /** The segment is matched case-insensitively: the doc URLs say `temporaryAccessPass` and `fido2`. */
  const configs: Record<string, (req: FastifyRequest) => Record<string, unknown>> = {
    temporaryaccesspass: tapConfig,
    fido2: fido2Config,
  };

  app.get(`${CONFIGS}/:configId`, async (req) => {
    await authorize(req);
    const configId = (req.params as { configId: string }).configId;
    const view = configs[configId.toLowerCase()];
    if (!view) throw notFound(configId);
    return { '@odata.context': `${metadataBase(req, ctx)}#authenticationMethodConfigurations/$entity`, ...view(req) };
  });

  app.get(CONFIGS, async (req) => {
    await authorize(req);
    return {
      '@odata.context': `${metadataBase(req, ctx)}#policies/authenticationMethodsPolicy/authenticationMethodConfigurations`,
      value: [tapConfig(req), fido2Config(req)],
    };
  });

  app.get('/policies/authenticationMethodsPolicy', async (req) => {
    await authorize(req);
    return {
      '@odata.context': `${metadataBase(req, ctx)}#authenticationMethodsPolicy`,
      id: 'authenticationMethodsPolicy',
      displayName: 'Authentication Methods Policy',
      description:
        'The tenant-wide policy that controls which authentication methods are allowed in the tenant, authentication method registration requirements, and self-service password reset settings',
      lastModifiedDateTime: null,
      policyVersion: '1.5',
      policyMigrationState: 'migrationComplete',
      'authenticationMethodConfigurations@odata.context': `${metadataBase(req, ctx)}#policies/authenticationMethodsPolicy/authenticationMethodConfigurations`,
      authenticationMethodConfigurations: [tapConfig(req), fido2Config(req)],
    };
  });
}
