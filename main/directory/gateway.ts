// The directory gateway: every Graph call the kiosk makes, typed (DirectoryGateway below).
//
// - Each call goes through `send`: the Graph client (graph-client.ts: auth, retry on 429/503/504 with
//   Retry-After inside its budget) with the raw response, a per-call timeout and the caller's AbortSignal.
// - Every failure becomes a DirectoryError (errors.ts); every 2xx body is checked with zod (schemas.ts).
// - THE place where a Temporary Access Pass is created: `createTap` below. The pass is in the 201 body only; it is
//   returned to the caller once, in the IssuedTap, and is never put in an error, a log line or anything else.
// - The caller's abort is passed through as the caller's own `signal.reason` (it is not a Graph failure).
import { type Client, ResponseType } from '@microsoft/microsoft-graph-client';
import { z } from 'zod';
import { ACCESS_NEEDS, type AccessFacts, type AccessNeed } from './access';
import { DirectoryError, badInput, fromGraphClientError, fromResponse, headerValue, malformed, timedOut } from './errors';
import {
  GraphCardUser,
  GraphCreationOptions,
  GraphFido2List,
  GraphFido2Method,
  GraphFido2Policy,
  GraphIssuedTap,
  GraphTap,
  GraphTapList,
  GraphTapPolicy,
  GraphUserList,
  type GraphUser,
} from './schemas';
import { type SearchOptions, planUserSearch } from './search';
import type { KeyRestrictions } from '../../common/keys';
import type { Fido2Policy, IdentityCard, IssuedTap, PolicyRead, SecurityKeyMethod, TapMethod, TapPolicy, UserSummary, QueryKind } from '../../common/directory';

export interface DirectoryGatewayOptions {
  /** From createGraphClient (graph-client.ts). */
  client: Client;
  /** Each call (retries included) gives up after this long: `timeout`. Default 30 s. */
  timeoutMs?: number;
  search?: SearchOptions;
  /** Largest photo accepted, in bytes. Default 4 MB (Graph's own limit for a profile photo). */
  photoMaxBytes?: number;
  /** The photo gives up after this long and the card shows initials. Default 5 s (never more than timeoutMs). */
  photoTimeoutMs?: number;
  /**
   * Whether an error the Graph client re-wrapped from the token callback means "the operator must sign in again"
   * (operator/'s `operatorErrorCodeOf(e) === 'sign-in-required'`, injected by the station so that directory/ does
   * not import operator/). Such a failure becomes kind `unauthenticated`, not `network`.
   */
  isSignInRequired?: (e: unknown) => boolean;
  /**
   * A security key's model when Graph names none, from its AAGUID (the keys catalogue; injected by the station so
   * that directory/ does not import keys/). Without it such a key's model is null.
   */
  modelOf?: (aaGuid: string) => string | null;
  /**
   * What the station knows about the signed-in operator (the permissions in their token, their roles), read when
   * Graph answers 403 to tell a missing consent, a missing role and a target out of reach apart (access.ts
   * `forbiddenCause`). Injected by the station so that directory/ does not import operator/. Without it a 403 is
   * only `forbidden`.
   */
  accessFacts?: () => AccessFacts | null;
}

export const SEARCH_PAGE_SIZE = 25;
const SUMMARY_FIELDS = ['id', 'userPrincipalName', 'displayName', 'mail', 'department', 'jobTitle', 'employeeId'];
const CARD_FIELDS = [
  'id',
  'userPrincipalName',
  'displayName',
  'givenName',
  'surname',
  'mail',
  'employeeId',
  'department',
  'jobTitle',
  'accountEnabled',
  'userType',
  'creationType',
  'externalUserState',
  'createdDateTime',
];
const POLICIES = '/policies/authenticationMethodsPolicy/authenticationMethodConfigurations';
const PHOTO_TYPES = /^image\/(jpeg|png|gif|webp|bmp)$/i;

type Method = 'GET' | 'POST' | 'DELETE';

interface Answer {
  status: number;
  headers: Headers;
  requestId: string | null;
  bytes: Buffer;
}

interface SendOptions {
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: unknown;
  signal?: AbortSignal | undefined;
  /** Statuses that are answers, not failures (e.g. 404 for "no photo"). */
  accept?: number[];
  tapCreate?: boolean;
  /** What the call needs: a 403's cause is judged against it (`accessFacts`). */
  need?: AccessNeed;
  /** This call's time limit, when not the gateway's. */
  timeoutMs?: number;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const UPN_KEY = /^[^$@\s/\\?#%][^@\s/\\?%]*@[A-Za-z0-9.-]+$/;
const METHOD_ID = /^[A-Za-z0-9_=-]{1,256}$/;

function userKey(userId: string, operation: string): string {
  if (typeof userId !== 'string' || !(GUID.test(userId) || (userId.length <= 256 && UPN_KEY.test(userId)))) {
    throw badInput('The user id is not a directory object id', operation);
  }
  return encodeURIComponent(userId);
}

function groupKey(groupId: string, operation: string): string {
  if (typeof groupId !== 'string' || !GUID.test(groupId)) throw badInput('The group id is not a directory object id', operation);
  return groupId;
}

function methodKey(methodId: string, operation: string): string {
  if (typeof methodId !== 'string' || !METHOD_ID.test(methodId)) throw badInput('The method id is not a valid authentication method id', operation);
  return encodeURIComponent(methodId);
}

const nn = (v: string | null | undefined): string | null => (v === undefined || v === null || v === '' ? null : v);

function toSummary(u: GraphUser): UserSummary {
  return {
    id: u.id,
    userPrincipalName: u.userPrincipalName,
    displayName: nn(u.displayName) ?? u.userPrincipalName,
    mail: nn(u.mail),
    department: nn(u.department),
    jobTitle: nn(u.jobTitle),
    employeeId: nn(u.employeeId),
  };
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

/** An external guest: a B2B `#EXT#` user name, or an invited account (creationType Invitation, or an externalUserState). */
export function isExternalGuest(u: Pick<GraphUser, 'userPrincipalName' | 'creationType' | 'externalUserState'>): boolean {
  return /#EXT#/i.test(u.userPrincipalName) || u.creationType === 'Invitation' || nn(u.externalUserState) !== null;
}

const collator = new Intl.Collator(undefined, { sensitivity: 'base', numeric: true });

/** Microsoft Graph, through one typed gateway; every failure is a `DirectoryError` (directory/errors.ts). */
export interface DirectoryGateway {
  searchUsers(input: string, signal?: AbortSignal): Promise<{ kind: QueryKind; users: UserSummary[] }>;
  identityCard(userId: string, signal?: AbortSignal): Promise<IdentityCard>;
  tapPolicy(signal?: AbortSignal): Promise<PolicyRead<TapPolicy>>;
  fido2Policy(signal?: AbortSignal): Promise<PolicyRead<Fido2Policy>>;
  createTap(userId: string, request: { lifetimeInMinutes: number; isUsableOnce: boolean }, signal?: AbortSignal): Promise<IssuedTap>;
  listTaps(userId: string, signal?: AbortSignal): Promise<TapMethod[]>;
  getTap(userId: string, tapId: string, signal?: AbortSignal): Promise<TapMethod | null>;
  /** Resolves when the TAP is gone, including when Graph says it was already gone (404). */
  deleteTap(userId: string, tapId: string, signal?: AbortSignal): Promise<{ requestId: string | null }>;
  listSecurityKeys(userId: string, signal?: AbortSignal): Promise<SecurityKeyMethod[]>;
  deleteSecurityKey(userId: string, methodId: string, signal?: AbortSignal): Promise<{ requestId: string | null }>;
  revokeSignInSessions(userId: string, signal?: AbortSignal): Promise<{ requestId: string | null }>;
  // Event mode (main/event/): the roster and claim groups.
  /** Every member of the group (users), all pages (`@odata.nextLink`) read. */
  groupMembers(groupId: string, signal?: AbortSignal): Promise<UserSummary[]>;
  /** Adds the user to the group. A member already there is Graph's 400 (`code` Request_BadRequest): a DirectoryError. */
  addGroupMember(groupId: string, userId: string, signal?: AbortSignal): Promise<{ requestId: string | null }>;
  /** Resolves when the user is no longer a member, including when they already were not (404). */
  removeGroupMember(groupId: string, userId: string, signal?: AbortSignal): Promise<{ requestId: string | null }>;
  /** JSON batching: up to 20 GET requests (relative urls) in one call; each answered with its own status. */
  batchGet(requests: readonly BatchGet[], signal?: AbortSignal): Promise<BatchAnswer[]>;
}

/** One request of a `$batch` (json-batching.md): relative url, e.g. `/users/{id}/authentication/fido2Methods`. */
export interface BatchGet {
  id: string;
  url: string;
}
export interface BatchAnswer {
  id: string;
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

/** json-batching.md: at most 20 requests in one batch. */
export const BATCH_LIMIT = 20;
const GraphMemberPage = GraphUserList.extend({ '@odata.nextLink': z.string().optional() });
const GraphBatchAnswer = z.object({
  responses: z.array(z.object({ id: z.string(), status: z.int(), headers: z.record(z.string(), z.string()).optional(), body: z.unknown().optional() })),
});

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

export function createDirectoryGateway(options: DirectoryGatewayOptions): DirectoryGateway & PasskeyProvisioningCalls {
  const { client, isSignInRequired } = options;
  const accessOf = (need: AccessNeed | undefined) => (need ? { need, facts: options.accessFacts?.() ?? null } : undefined);
  const modelOf = options.modelOf ?? (() => null);
  const timeoutMs = options.timeoutMs ?? 30_000;
  const photoMaxBytes = options.photoMaxBytes ?? 4 * 1024 * 1024;
  const photoTimeoutMs = Math.min(options.photoTimeoutMs ?? 5_000, timeoutMs);

  async function send(operation: string, method: Method, path: string, opts: SendOptions = {}): Promise<Answer> {
    const caller = opts.signal;
    if (caller?.aborted) throw caller.reason;
    const controller = new AbortController();
    const limit = opts.timeoutMs ?? timeoutMs;
    const timer = setTimeout(() => controller.abort(new DOMException(`no answer within ${limit} ms`, 'TimeoutError')), limit);
    const onCallerAbort = () => controller.abort(caller?.reason);
    caller?.addEventListener('abort', onCallerAbort, { once: true });
    const aborted = new Promise<never>((_, reject) => {
      controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true });
    });
    try {
      let request = client.api(path).responseType(ResponseType.RAW).option('signal', controller.signal);
      if (opts.query) {
        const encoded: Record<string, string> = {};
        for (const [k, v] of Object.entries(opts.query)) encoded[k] = encodeURIComponent(v);
        request = request.query(encoded);
      }
      if (opts.headers) request = request.headers(opts.headers);
      const pending: Promise<unknown> =
        method === 'GET' ? request.get() : method === 'DELETE' ? request.delete() : request.post(opts.body === undefined ? undefined : opts.body);
      pending.catch(() => undefined); // when the timeout wins the race, the library's late failure is not ours to report
      const response = (await Promise.race([pending, aborted])) as Response;
      if (!(response instanceof Response)) throw malformed(operation, null, 0, ['(response): not an HTTP response']);
      const bytes = Buffer.from(await Promise.race([response.arrayBuffer(), aborted]));
      const requestId = headerValue(response.headers, 'request-id');
      const answer: Answer = { status: response.status, headers: response.headers, requestId, bytes };
      if ((response.status >= 200 && response.status < 300) || opts.accept?.includes(response.status)) return answer;
      throw fromResponse({ status: response.status, headers: response.headers, body: bytes.toString('utf8') }, operation, {
        tapCreate: opts.tapCreate ?? false,
        access: accessOf(opts.need),
      });
    } catch (e) {
      if (caller?.aborted) throw caller.reason;
      if (e instanceof DirectoryError) throw e;
      if (controller.signal.aborted) throw timedOut(operation, limit);
      throw fromGraphClientError(e, operation, { tapCreate: opts.tapCreate ?? false, access: accessOf(opts.need), isSignInRequired });
    } finally {
      clearTimeout(timer);
      caller?.removeEventListener('abort', onCallerAbort);
    }
  }

  /** The body as JSON, checked against the schema. Issues are reported by path and expectation, never by value. */
  function parse<S extends z.ZodType>(schema: S, answer: Answer, operation: string): z.infer<S> {
    let json: unknown;
    try {
      json = JSON.parse(answer.bytes.toString('utf8'));
    } catch {
      throw malformed(operation, answer.requestId, answer.status, ['(body): not JSON']);
    }
    const result = schema.safeParse(json);
    if (result.success) return result.data;
    const issues = result.error.issues.map((i) => {
      const where = i.path.length ? i.path.map(String).join('.') : '(body)';
      const expected = 'expected' in i && typeof i.expected === 'string' ? `expected ${i.expected}` : i.code;
      return `${where}: ${expected}`;
    });
    throw malformed(operation, answer.requestId, answer.status, issues);
  }

  async function getJson<S extends z.ZodType>(schema: S, operation: string, path: string, opts: SendOptions = {}): Promise<z.infer<S>> {
    return parse(schema, await send(operation, 'GET', path, opts), operation);
  }

  async function readPolicy<P>(operation: string, path: string, signal: AbortSignal | undefined, shape: (body: unknown) => P): Promise<PolicyRead<P>> {
    const answer = await send(operation, 'GET', path, { signal, accept: [403] });
    if (answer.status === 403) {
      const denied = fromResponse({ status: 403, headers: answer.headers, body: answer.bytes.toString('utf8') }, operation);
      return { readable: false, reason: 'forbidden', requestId: denied.requestId };
    }
    return { readable: true, policy: shape(answer) };
  }

  const gateway: DirectoryGateway & PasskeyProvisioningCalls = {
    async searchUsers(input, signal) {
      const operation = 'search for a person';
      const plan = planUserSearch(input, options.search);
      const query: Record<string, string> = { $select: SUMMARY_FIELDS.join(','), $top: String(SEARCH_PAGE_SIZE) };
      if (plan.filter) query.$filter = plan.filter;
      if (plan.search) query.$search = plan.search;
      if (plan.advanced) query.$count = 'true';
      const headers = plan.advanced ? { ConsistencyLevel: 'eventual' } : undefined;
      const list = await getJson(GraphUserList, operation, '/users', { query, ...(headers ? { headers } : {}), signal, need: ACCESS_NEEDS.readUsers });
      const users = list.value
        .map(toSummary)
        .sort((a, b) => collator.compare(a.displayName, b.displayName) || collator.compare(a.userPrincipalName, b.userPrincipalName));
      let kind: QueryKind = plan.kind;
      if (plan.kind === 'upn') {
        const term = plan.term.toLowerCase();
        const byUpn = users.some((u) => u.userPrincipalName.toLowerCase() === term);
        const byMail = users.some((u) => (u.mail ?? '').toLowerCase() === term);
        kind = !byUpn && byMail ? 'mail' : 'upn';
      }
      return { kind, users };
    },

    async identityCard(userId, signal) {
      const operation = 'read the person’s details';
      const key = userKey(userId, operation);
      const base = `/users/${key}`;
      const [user, photo, securityKeys, taps] = await Promise.all([
        getJson(GraphCardUser, operation, base, { query: { $select: CARD_FIELDS.join(',') }, signal, need: ACCESS_NEEDS.readUsers }),
        readPhoto(base, signal),
        gateway.listSecurityKeys(userId, signal),
        gateway.listTaps(userId, signal),
      ]);
      const external = isExternalGuest(user);
      const card: IdentityCard = {
        id: user.id,
        userPrincipalName: user.userPrincipalName,
        displayName: nn(user.displayName) ?? user.userPrincipalName,
        givenName: nn(user.givenName),
        surname: nn(user.surname),
        mail: nn(user.mail),
        employeeId: nn(user.employeeId),
        department: nn(user.department),
        jobTitle: nn(user.jobTitle),
        accountEnabled: user.accountEnabled,
        createdDateTime: nn(user.createdDateTime),
        userType: user.userType === 'Guest' || (user.userType == null && external) ? 'Guest' : 'Member',
        isExternalGuest: external,
        photo,
        securityKeys,
        tap: taps[0] ?? null,
      };
      return card;
    },

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

    async groupMembers(groupId, signal) {
      const operation = 'read the group’s members';
      const key = groupKey(groupId, operation);
      const out: UserSummary[] = [];
      let page = await getJson(GraphMemberPage, operation, `/groups/${key}/members`, { query: { $select: SUMMARY_FIELDS.join(','), $top: '999' }, signal });
      for (;;) {
        out.push(...page.value.map(toSummary));
        const next = page['@odata.nextLink'];
        if (!next) return out;
        page = await getJson(GraphMemberPage, operation, next, { signal });
      }
    },

    async addGroupMember(groupId, userId, signal) {
      const operation = 'add the person to the group';
      const path = `/groups/${groupKey(groupId, operation)}/members/$ref`;
      const member = userKey(userId, operation);
      const answer = await send(operation, 'POST', path, { body: { '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${member}` }, signal });
      return { requestId: answer.requestId };
    },

    async removeGroupMember(groupId, userId, signal) {
      const operation = 'remove the person from the group';
      const path = `/groups/${groupKey(groupId, operation)}/members/${userKey(userId, operation)}/$ref`;
      const answer = await send(operation, 'DELETE', path, { signal, accept: [404] });
      return { requestId: answer.requestId };
    },

    async batchGet(requests, signal) {
      const operation = 'read in a batch';
      if (requests.length === 0) return [];
      if (requests.length > BATCH_LIMIT) throw badInput(`A batch holds at most ${BATCH_LIMIT} requests`, operation);
      const body = { requests: requests.map((r) => ({ id: r.id, method: 'GET', url: r.url })) };
      const answer = await send(operation, 'POST', '/$batch', { body, signal });
      return parse(GraphBatchAnswer, answer, operation).responses.map((r) => ({ id: r.id, status: r.status, headers: r.headers ?? {}, body: r.body }));
    },
  };

  /**
   * The photo, or null: a photo never fails the card (issue 10, 3c). Graph answers 404 for "no photo", 400 for an
   * account without a mailbox (microsoft-graph-docs#8877), `MailboxNotHostedInExchangeOnline` for an on-premises
   * mailbox (msgraph-sdk-dotnet#688), and may fail or be slow like any call; every such case shows initials, and
   * the photo gets its own, shorter time limit so that a slow photo service does not hold the card up. Only the
   * caller's own abort is passed on.
   */
  async function readPhoto(base: string, signal: AbortSignal | undefined): Promise<string | null> {
    const operation = 'read the person’s photo';
    try {
      const answer = await send(operation, 'GET', `${base}/photo/$value`, { signal, accept: [404], timeoutMs: photoTimeoutMs });
      if (answer.status === 404) return null;
      const type = (headerValue(answer.headers, 'content-type') ?? '').split(';')[0]?.trim() ?? '';
      if (!PHOTO_TYPES.test(type) || answer.bytes.length === 0 || answer.bytes.length > photoMaxBytes) return null;
      return `data:${type.toLowerCase()};base64,${answer.bytes.toString('base64')}`;
    } catch (e) {
      if (signal?.aborted) throw e;
      return null;
    }
  }

  return gateway;
}
