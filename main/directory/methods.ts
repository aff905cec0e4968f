// The person's authentication methods: THE place where a Temporary Access Pass is created (`createTap`), read
// (`listTaps`, `getTap`) and deleted (`deleteTap`); their security keys (`listSecurityKeys`, `deleteSecurityKey`);
// a passkey provisioned on their behalf (`passkeyCreationOptions`, `registerPasskey`); and their sign-in sessions
// revoked (the lost-key branch).
//
// The pass is in the 201 body only; it is returned to the caller once, in the IssuedTap, the raw body is zeroed,
// and it is never put in an error, a log line or anything else (a malformed 201 is reported by schema path).
import type { z } from 'zod';
import { ACCESS_NEEDS } from './access';
import { badInput } from './errors';
import { GraphCreationOptions, GraphFido2List, GraphFido2Method, GraphIssuedTap, GraphTap, GraphTapList } from './schemas';
import { methodKey, nn, userKey, type Transport } from './transport';
import type { IssuedTap, SecurityKeyMethod, TapMethod } from '../../common/directory';

export interface MethodCalls {
  createTap(userId: string, request: { lifetimeInMinutes: number; isUsableOnce: boolean }, signal?: AbortSignal): Promise<IssuedTap>;
  listTaps(userId: string, signal?: AbortSignal): Promise<TapMethod[]>;
  getTap(userId: string, tapId: string, signal?: AbortSignal): Promise<TapMethod | null>;
  /** Resolves when the TAP is gone, including when Graph says it was already gone (404). */
  deleteTap(userId: string, tapId: string, signal?: AbortSignal): Promise<{ requestId: string | null }>;
  listSecurityKeys(userId: string, signal?: AbortSignal): Promise<SecurityKeyMethod[]>;
  deleteSecurityKey(userId: string, methodId: string, signal?: AbortSignal): Promise<{ requestId: string | null }>;
  revokeSignInSessions(userId: string, signal?: AbortSignal): Promise<{ requestId: string | null }>;
}

/**
 * What the station knows about a pass when Graph leaves a property out or null (all are nullable in the CSDL):
 * for a pass it just created, what it asked for; otherwise nothing ('' for a time means unknown; isOurs and
 * completion treat an unparsable time as unknown, and an empty reason as "no verdict").
 */
interface TapFallback {
  createdDateTime: string;
  lifetimeInMinutes: number;
  isUsableOnce: boolean;
}

function toTap(t: z.infer<typeof GraphTap>, known?: TapFallback): TapMethod {
  const createdDateTime = nn(t.createdDateTime) ?? known?.createdDateTime ?? '';
  return {
    id: t.id,
    createdDateTime,
    // Graph starts a pass at its creation unless asked otherwise (the station never asks otherwise).
    startDateTime: nn(t.startDateTime) ?? createdDateTime,
    lifetimeInMinutes: t.lifetimeInMinutes ?? known?.lifetimeInMinutes ?? 0,
    isUsableOnce: t.isUsableOnce ?? known?.isUsableOnce ?? true,
    // A pass Graph just created to start now is usable; one read back without the flag is not assumed usable.
    isUsable: t.isUsable ?? known !== undefined,
    methodUsabilityReason: t.methodUsabilityReason ?? '',
  };
}

function toKey(k: z.infer<typeof GraphFido2Method>, modelOf: (aaGuid: string) => string | null): SecurityKeyMethod {
  const aaGuid = nn(k.aaGuid);
  return {
    id: k.id,
    displayName: nn(k.displayName),
    aaGuid,
    model: nn(k.model) ?? (aaGuid ? modelOf(aaGuid) : null),
    createdDateTime: nn(k.createdDateTime),
    attestationLevel: k.attestationLevel === 'attested' || k.attestationLevel === 'notAttested' ? k.attestationLevel : null,
  };
}

/** `GET …/fido2Methods/creationOptions`, as the station uses it (v1.0; entra-graph.md 4.2). */
export interface PasskeyCreationOptions {
  /** The relying party id Microsoft names (login.microsoft.com today): the origin is `https://` + it. */
  rpId: string;
  rpName: string | null;
  /** base64url, as Graph sends it. */
  userHandle: string;
  userName: string | null;
  userDisplayName: string | null;
  /** base64url, as Graph sends it: the clientDataJSON carries it unchanged. */
  challenge: string;
  /** When the challenge stops being accepted (ISO); null when Graph did not say (then: 5 minutes from now). */
  challengeExpires: string | null;
  /** COSE algorithm ids in Microsoft's order of preference. */
  algorithms: number[];
  /** base64url credential ids the person already has. */
  excludeCredentials: string[];
  requestId: string | null;
}

/** What `POST …/fido2Methods` takes: the attestation as a browser would send it (entra-graph.md 4.3). */
export interface PasskeyRegistration {
  displayName: string;
  publicKeyCredential: {
    id: string;
    response: { clientDataJSON: string; attestationObject: string };
    clientExtensionResults: Record<string, never>;
  };
}

/** Provisioning a passkey on behalf of a user (permission UserAuthMethod-Passkey.ReadWrite.All). */
export interface PasskeyProvisioningCalls {
  passkeyCreationOptions(userId: string, signal?: AbortSignal): Promise<PasskeyCreationOptions>;
  registerPasskey(userId: string, registration: PasskeyRegistration, signal?: AbortSignal): Promise<SecurityKeyMethod & { requestId: string | null }>;
}

/**
 * The method calls over `transport`. `modelOf`: a security key's model from its AAGUID when Graph names none
 * (injected by the station so that directory/ does not import keys/).
 */
export function createMethodCalls(transport: Transport, modelOf: (aaGuid: string) => string | null): MethodCalls & PasskeyProvisioningCalls {
  const { send, parse, getJson } = transport;
  return {
    // Where the TAP gets created.
    async createTap(userId, request, signal) {
      const operation = 'create a Temporary Access Pass';
      const key = userKey(userId, operation);
      const lifetime = request?.lifetimeInMinutes;
      if (typeof lifetime !== 'number' || !Number.isInteger(lifetime) || lifetime < 10 || lifetime > 43200) {
        throw badInput('The pass lifetime must be a whole number of minutes between 10 and 43200', operation);
      }
      if (typeof request.isUsableOnce !== 'boolean') throw badInput('Choose whether the pass is one-time or multi-use', operation);
      // Before the request: a lower bound for the pass's creation time should Graph's answer not carry one.
      const sentAt = new Date().toISOString();
      const answer = await send(operation, 'POST', `/users/${key}/authentication/temporaryAccessPassMethods`, {
        body: { lifetimeInMinutes: lifetime, isUsableOnce: request.isUsableOnce },
        signal,
        tapCreate: true,
        need: ACCESS_NEEDS.writeTaps,
      });
      try {
        const t = parse(GraphIssuedTap, answer, operation);
        const issued: IssuedTap = {
          ...toTap(t, { createdDateTime: sentAt, lifetimeInMinutes: lifetime, isUsableOnce: request.isUsableOnce }),
          temporaryAccessPass: t.temporaryAccessPass,
          requestId: answer.requestId,
        };
        return issued;
      } finally {
        answer.bytes.fill(0); // the raw body held the pass; the IssuedTap is now its only holder here
      }
    },

    async listTaps(userId, signal) {
      const operation = 'read the person’s Temporary Access Pass';
      const key = userKey(userId, operation);
      const list = await getJson(GraphTapList, operation, `/users/${key}/authentication/temporaryAccessPassMethods`, { signal, need: ACCESS_NEEDS.readTaps });
      return list.value.map((t) => toTap(t));
    },

    async getTap(userId, tapId, signal) {
      const operation = 'read the Temporary Access Pass';
      const path = `/users/${userKey(userId, operation)}/authentication/temporaryAccessPassMethods/${methodKey(tapId, operation)}`;
      const answer = await send(operation, 'GET', path, { signal, accept: [404], need: ACCESS_NEEDS.readTaps });
      if (answer.status === 404) return null;
      return toTap(parse(GraphTap, answer, operation));
    },

    async deleteTap(userId, tapId, signal) {
      const operation = 'delete the Temporary Access Pass';
      const path = `/users/${userKey(userId, operation)}/authentication/temporaryAccessPassMethods/${methodKey(tapId, operation)}`;
      // 404: already gone (used up and removed, replaced, or deleted by an earlier attempt whose answer was lost).
      const answer = await send(operation, 'DELETE', path, { signal, accept: [404], need: ACCESS_NEEDS.writeTaps });
      return { requestId: answer.requestId };
    },

    async listSecurityKeys(userId, signal) {
      const operation = 'read the person’s security keys';
      const key = userKey(userId, operation);
      const list = await getJson(GraphFido2List, operation, `/users/${key}/authentication/fido2Methods`, { signal, need: ACCESS_NEEDS.readPasskeys });
      return list.value.map((k) => toKey(k, modelOf));
    },

    async deleteSecurityKey(userId, methodId, signal) {
      const operation = 'delete the security key';
      const path = `/users/${userKey(userId, operation)}/authentication/fido2Methods/${methodKey(methodId, operation)}`;
      // 404: the key is already gone, which is what the operator asked for.
      const answer = await send(operation, 'DELETE', path, { signal, accept: [404], need: ACCESS_NEEDS.writePasskeys });
      return { requestId: answer.requestId };
    },

    async passkeyCreationOptions(userId, signal) {
      const operation = 'get the passkey creation options';
      const answer = await send(operation, 'GET', `/users/${userKey(userId, operation)}/authentication/fido2Methods/creationOptions`, { signal });
      const o = parse(GraphCreationOptions, answer, operation);
      const pk = o.publicKey;
      return {
        rpId: pk.rp.id,
        rpName: nn(pk.rp.name),
        userHandle: pk.user.id,
        userName: nn(pk.user.name),
        userDisplayName: nn(pk.user.displayName),
        challenge: pk.challenge,
        challengeExpires: nn(o.challengeTimeoutDateTime),
        algorithms: (pk.pubKeyCredParams ?? []).filter((p) => (p.type ?? 'public-key') === 'public-key').map((p) => p.alg),
        excludeCredentials: (pk.excludeCredentials ?? []).map((c) => c.id),
        requestId: answer.requestId,
      };
    },

    async registerPasskey(userId, registration, signal) {
      const operation = 'register the passkey';
      const answer = await send(operation, 'POST', `/users/${userKey(userId, operation)}/authentication/fido2Methods`, {
        body: { '@odata.type': '#microsoft.graph.fido2AuthenticationMethod', ...registration },
        signal,
      });
      return { ...toKey(parse(GraphFido2Method, answer, operation), modelOf), requestId: answer.requestId };
    },

    async revokeSignInSessions(userId, signal) {
      const operation = 'sign the person out everywhere';
      // The documented 204 is in practice 200 { value: true } (known issue): any 2xx is success, the body is ignored.
      const answer = await send(operation, 'POST', `/users/${userKey(userId, operation)}/revokeSignInSessions`, { signal, need: ACCESS_NEEDS.revokeSessions });
      return { requestId: answer.requestId };
    },
  };
}
