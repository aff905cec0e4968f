// The authentication methods policies, as the station reads them: the Temporary Access Pass policy (pre-flight:
// lifetime, one-time) and the passkey (FIDO2) policy (keys/readiness.ts: attestation, key restrictions, profiles,
// targets). A 403 is an answer here, not a failure: `{ readable: false, reason: 'forbidden' }` (an Authentication
// Administrator alone cannot read policies).
import type { Answer, Transport } from './transport';
import { fromResponse } from './errors';
import { GraphFido2Policy, GraphTapPolicy } from './schemas';
import type { KeyRestrictions } from '../../common/keys';
import type { Fido2Policy, PolicyRead, TapPolicy } from '../../common/directory';

const POLICIES = '/policies/authenticationMethodsPolicy/authenticationMethodConfigurations';

export interface PolicyCalls {
  tapPolicy(signal?: AbortSignal): Promise<PolicyRead<TapPolicy>>;
  fido2Policy(signal?: AbortSignal): Promise<PolicyRead<Fido2Policy>>;
}

export function createPolicyCalls({ send, parse }: Transport): PolicyCalls {
  async function readPolicy<P>(operation: string, path: string, signal: AbortSignal | undefined, shape: (body: unknown) => P): Promise<PolicyRead<P>> {
    const answer = await send(operation, 'GET', path, { signal, accept: [403] });
    if (answer.status === 403) {
      const denied = fromResponse({ status: 403, headers: answer.headers, body: answer.bytes.toString('utf8') }, operation);
      return { readable: false, reason: 'forbidden', requestId: denied.requestId };
    }
    return { readable: true, policy: shape(answer) };
  }

  return {
    tapPolicy(signal) {
      const operation = 'read the Temporary Access Pass policy';
      return readPolicy<TapPolicy>(operation, `${POLICIES}/TemporaryAccessPass`, signal, (answer) => {
        const p = parse(GraphTapPolicy, answer as Answer, operation);
        return {
          state: p.state,
          defaultLifetimeInMinutes: p.defaultLifetimeInMinutes,
          defaultLength: p.defaultLength,
          minimumLifetimeInMinutes: p.minimumLifetimeInMinutes,
          maximumLifetimeInMinutes: p.maximumLifetimeInMinutes,
          isUsableOnce: p.isUsableOnce,
          includeTargets: (p.includeTargets ?? []).map((t) => ({ targetType: t.targetType, id: t.id })),
          excludeTargets: (p.excludeTargets ?? []).map((t) => ({ targetType: t.targetType, id: t.id })),
        };
      });
    },

    fido2Policy(signal) {
      const operation = 'read the security key (FIDO2) policy';
      return readPolicy<Fido2Policy>(operation, `${POLICIES}/Fido2`, signal, (answer) => {
        const p = parse(GraphFido2Policy, answer as Answer, operation);
        const restrictions = (r: typeof p.keyRestrictions): KeyRestrictions | null =>
          r ? { isEnforced: r.isEnforced ?? null, enforcementType: r.enforcementType ?? null, aaGuids: [...(r.aaGuids ?? [])] } : null;
        return {
          state: p.state,
          isSelfServiceRegistrationAllowed: p.isSelfServiceRegistrationAllowed,
          isAttestationEnforced: p.isAttestationEnforced ?? null,
          keyRestrictions: restrictions(p.keyRestrictions),
          defaultPasskeyProfile: p.defaultPasskeyProfile ?? null,
          passkeyProfiles: (p.passkeyProfiles ?? []).map((profile) => ({
            id: profile.id,
            name: profile.name ?? null,
            // Required by the CSDL; missing, it is judged as a value the station does not know.
            attestationEnforcement: profile.attestationEnforcement ?? 'unknownFutureValue',
            keyRestrictions: restrictions(profile.keyRestrictions),
            passkeyTypes:
              profile.passkeyTypes == null
                ? null
                : profile.passkeyTypes
                    .split(',')
                    .map((t) => t.trim())
                    .filter((t) => t !== ''),
          })),
          includeTargets: (p.includeTargets ?? []).map((t) => ({
            targetType: t.targetType,
            id: t.id,
            ...(t.allowedPasskeyProfiles ? { allowedPasskeyProfiles: [...t.allowedPasskeyProfiles] } : {}),
          })),
          excludeTargets: (p.excludeTargets ?? []).map((t) => ({ targetType: t.targetType, id: t.id })),
        };
      });
    },
  };
}
