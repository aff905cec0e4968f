// Graph authentication methods of a user (entra-graph.md 1, 4.1, 5.1, 5.4, 8.3, 8.4):
//   /users/{id | upn}/authentication/methods                       list (password, FIDO2, TAP) and get
//   /users/{id | upn}/authentication/temporaryAccessPassMethods     create (201, the pass only here), list, get, delete
//   /users/{id | upn}/authentication/fido2Methods                   list, get, delete
//   /users/{id | upn}/revokeSignInSessions                          POST
// each also under /me. Every call is authorised by its token's scopes and the caller's active roles (the seeded
// role assignments, not the token's `wids` snapshot), and every write on another user by the target matrix of
// `mayManageMethodsOf`.
import { randomInt, randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { graphDate } from '../clock';
import type { EmulatorContext } from '../context';
import { GraphError, accessDenied, authorizationDenied, notFound } from '../errors';
import { type Fido2Record, PASSWORD_METHOD_ID, Role, type TapRecord, type UserRecord } from '../model';
import { mayManageMethodsOf, tapUsability } from '../store';
import { type Caller, authenticate, hasAnyScope } from './auth';
import { recordTapAudit } from './audit-logs';
import { challengeMinutes, creationOptionsBody, registerPasskey } from './fido2-provisioning';

// ---------------------------------------------------------------------------------------------------------------
// Shared with policies.ts

/** `https://<emulator>/<version>/$metadata`: the real service names graph.microsoft.com; we name ourselves. */
export function metadataBase(req: FastifyRequest, ctx: EmulatorContext): string {
  const version = /^\/beta(\/|$)/.test(req.url) ? 'beta' : 'v1.0';
  return `${ctx.urls.origin}/${version}/$metadata`;
}

/** Roles whose holders may read other users' authentication methods (rbac-authentication-methods-apis-read-others). */
const READ_OTHERS_ROLES: readonly string[] = [
  Role.GlobalReader,
  Role.AuthenticationAdministrator,
  Role.PrivilegedAuthenticationAdministrator,
  Role.GlobalAdministrator,
];

export const UNSUPPORTED_MEDIA_TYPE = () =>
  new GraphError(415, 'UnsupportedMediaType', 'The content type of the request is a format that is not supported by the service. Use application/json.');

// ---------------------------------------------------------------------------------------------------------------
// Permissions (entra-graph.md 1.4, 4.1, 5.1). Delegated `.All` scopes cover the signed-in user too.

interface ScopeRules {
  readSelf: readonly string[];
  readOthers: readonly string[];
  writeSelf: readonly string[];
  writeOthers: readonly string[];
}

const UAM = {
  read: 'UserAuthenticationMethod.Read',
  readWrite: 'UserAuthenticationMethod.ReadWrite',
  readAll: 'UserAuthenticationMethod.Read.All',
  readWriteAll: 'UserAuthenticationMethod.ReadWrite.All',
} as const;

const methodScopes = (family: 'TAP' | 'Passkey' | null): ScopeRules => {
  const f = family ? `UserAuthMethod-${family}` : null;
  const specific = (suffix: string) => (f ? [`${f}${suffix}`] : []);
  return {
    readSelf: [
      UAM.read,
      UAM.readWrite,
      UAM.readAll,
      UAM.readWriteAll,
      ...specific('.Read'),
      ...specific('.ReadWrite'),
      ...specific('.Read.All'),
      ...specific('.ReadWrite.All'),
    ],
    readOthers: [UAM.readAll, UAM.readWriteAll, ...specific('.Read.All'), ...specific('.ReadWrite.All')],
    writeSelf: [UAM.readWrite, UAM.readWriteAll, ...specific('.ReadWrite'), ...specific('.ReadWrite.All')],
    // Read scopes are read-only, whatever the generated permission table says about "least privileged" (1.4 [INF]).
    writeOthers: [UAM.readWriteAll, ...specific('.ReadWrite.All')],
  };
};

const ALL_METHODS = methodScopes(null);
const TAP_SCOPES = methodScopes('TAP');
const FIDO2_SCOPES = methodScopes('Passkey');

/** Reading: self needs a self scope; others need an `.All` scope and a reading role (any target). */
function authorizeRead(ctx: EmulatorContext, caller: Caller, target: UserRecord, rules: ScopeRules): void {
  if (caller.user.id === target.id) {
    if (!hasAnyScope(caller, rules.readSelf)) throw accessDenied();
    return;
  }
  if (!hasAnyScope(caller, rules.readOthers)) throw accessDenied();
  const roles = ctx.state.rolesOf(caller.user);
  if (!roles.some((r) => READ_OTHERS_ROLES.includes(r))) throw accessDenied();
}

/**
 * Writing on another user: a ReadWrite `.All` scope, then the role-vs-target matrix (Global Reader is read-only;
 * Authentication Administrators only reach non-admins outside role-assignable groups). `self` decides whether the
 * signed-in user may change their own method: never for a TAP ("except themselves"), yes for deleting their own
 * security key (the fido2 delete doc lists `/me` with `UserAuthenticationMethod.ReadWrite`).
 */
function authorizeWrite(ctx: EmulatorContext, caller: Caller, target: UserRecord, rules: ScopeRules, self: 'deny' | 'allow'): void {
  if (caller.user.id === target.id) {
    if (!hasAnyScope(caller, rules.writeSelf)) throw accessDenied();
    if (self === 'deny') throw accessDenied();
    return;
  }
  if (!hasAnyScope(caller, rules.writeOthers)) throw accessDenied();
  if (!mayManageMethodsOf(ctx.state, caller.user, target).allowed) throw accessDenied();
}

// ---------------------------------------------------------------------------------------------------------------
// Representations

const TAP_TYPE = '#microsoft.graph.temporaryAccessPassAuthenticationMethod';
const FIDO2_TYPE = '#microsoft.graph.fido2AuthenticationMethod';
const PASSWORD_TYPE = '#microsoft.graph.passwordAuthenticationMethod';

function tapView(ctx: EmulatorContext, tap: TapRecord, options: { withType: boolean; revealPass: boolean }) {
  const usability = tapUsability(ctx.state, tap, ctx.clock.now());
  return {
    ...(options.withType ? { '@odata.type': TAP_TYPE } : {}),
    id: tap.id,
    // "Hidden in subsequent read operations and returned as null with GET" (1.1).
    temporaryAccessPass: options.revealPass ? tap.pass : null,
    createdDateTime: graphDate(tap.createdDateTime),
    startDateTime: graphDate(tap.startDateTime),
    lifetimeInMinutes: tap.lifetimeInMinutes,
    isUsableOnce: tap.isUsableOnce,
    isUsable: usability.isUsable,
    methodUsabilityReason: usability.methodUsabilityReason,
  };
}

/** Never `publicKeyCredential`: it is write-only (4.1). */
function fido2View(key: Fido2Record) {
  return {
    '@odata.type': FIDO2_TYPE,
    id: key.id,
    displayName: key.displayName,
    createdDateTime: graphDate(key.createdDateTime),
    aaGuid: key.aaGuid,
    model: key.model,
    attestationCertificates: [...key.attestationCertificates],
    attestationLevel: key.attestationLevel,
    passkeyType: key.passkeyType,
  };
}

/** A cloud account has a password; an external guest signs in at home and has none here [INF]. */
function passwordView(user: UserRecord) {
  if (user.isExternal) return [];
  return [{ '@odata.type': PASSWORD_TYPE, id: PASSWORD_METHOD_ID, password: null, createdDateTime: null }];
}

function allMethods(ctx: EmulatorContext, user: UserRecord) {
  const tap = ctx.state.taps.get(user.id);
  return [...passwordView(user), ...ctx.state.fido2Of(user.id).map(fido2View), ...(tap ? [tapView(ctx, tap, { withType: true, revealPass: false })] : [])];
}

// ---------------------------------------------------------------------------------------------------------------
// The pass itself

/**
 * The alphabet of generated passes: upper and lower case letters and digits without the look-alikes
 * (I, O, l, 0, 1), plus the symbols `!#$%&*+=?@`. The docs only show examples ("+drkzqAD", "TAPRocks!"), so this
 * is our choice: every character is easy to read off a kiosk screen and to type. Each character is drawn with
 * `crypto.randomInt`, so there is no modulo bias.
 */
export const TAP_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789!#$%&*+=?@';

export function generatePass(length: number): string {
  let pass = '';
  for (let i = 0; i < length; i++) pass += TAP_ALPHABET[randomInt(TAP_ALPHABET.length)];
  return pass;
}

// ---------------------------------------------------------------------------------------------------------------
// Request body of POST temporaryAccessPassMethods, checked the way OData binds a body to the entity type.

const TAP_TYPE_NAME = 'microsoft.graph.temporaryAccessPassAuthenticationMethod';
/** Read-only properties a client may echo back; the service ignores them. */
const TAP_READ_ONLY = new Set(['id', 'temporaryAccessPass', 'createdDateTime', 'isUsable', 'methodUsabilityReason']);

const TapCreate = z.object({
  startDateTime: z.string().optional(),
  lifetimeInMinutes: z.number().int().min(-2147483648).max(2147483647).optional(),
  isUsableOnce: z.boolean().optional(),
});

const cannotConvert = (literal: unknown, type: string) =>
  new GraphError(
    400,
    'BadRequest',
    `Cannot convert the literal '${typeof literal === 'string' ? literal : JSON.stringify(literal)}' to the expected type '${type}'.`,
  );

function parseTapBody(body: unknown): { startDateTime?: Date; lifetimeInMinutes?: number; isUsableOnce?: boolean } {
  if (body === undefined || body === null) return {};
  if (typeof body !== 'object' || Array.isArray(body)) {
    throw new GraphError(400, 'BadRequest', 'The request is missing a temporaryAccessPassAuthenticationMethod entity.');
  }
  const record = body as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (key.startsWith('@odata.') || key in TapCreate.shape || TAP_READ_ONLY.has(key)) continue;
    throw new GraphError(
      400,
      'BadRequest',
      `The property '${key}' does not exist on type '${TAP_TYPE_NAME}'. Make sure to only use property names that are defined by the type or mark the type as open type.`,
    );
  }
  const parsed = TapCreate.safeParse({
    startDateTime: record.startDateTime ?? undefined,
    lifetimeInMinutes: record.lifetimeInMinutes ?? undefined,
    isUsableOnce: record.isUsableOnce ?? undefined,
  });
  if (!parsed.success) {
    const field = String(parsed.error.issues[0]?.path[0] ?? '');
    const type = field === 'startDateTime' ? 'Edm.DateTimeOffset' : field === 'isUsableOnce' ? 'Edm.Boolean' : 'Edm.Int32';
    throw cannotConvert(record[field], type);
  }
  const out: { startDateTime?: Date; lifetimeInMinutes?: number; isUsableOnce?: boolean } = {};
  if (parsed.data.startDateTime !== undefined) {
    const raw = parsed.data.startDateTime;
    // ISO 8601 with a zone (DateTimeOffset); "2022-06-05T00:00:00.000Z" in the doc example.
    const ok = /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d{1,7})?)?(Z|[+-]\d\d:\d\d)$/.test(raw);
    const when = new Date(raw.replace(/(\.\d{3})\d+/, '$1'));
    if (!ok || Number.isNaN(when.getTime())) throw cannotConvert(raw, 'Edm.DateTimeOffset');
    out.startDateTime = when;
  }
  if (parsed.data.lifetimeInMinutes !== undefined) out.lifetimeInMinutes = parsed.data.lifetimeInMinutes;
  if (parsed.data.isUsableOnce !== undefined) out.isUsableOnce = parsed.data.isUsableOnce;
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Routes

interface Target {
  caller: Caller;
  target: UserRecord;
}

const isJson = (req: FastifyRequest) => /^application\/json\b/i.test(String(req.headers['content-type'] ?? ''));

export function registerMethods(app: FastifyInstance, ctx: EmulatorContext): void {
  // Our routes live in a child scope so that an empty body sent with `Content-Type: application/json` (what the
  // Graph client sends for `.post(undefined)`, e.g. revokeSignInSessions) counts as no body, as Graph treats it,
  // instead of Fastify's FST_ERR_CTP_EMPTY_JSON_BODY. Everything else (malformed JSON, body limit) is unchanged.
  void app.register(async (scope) => {
    const defaultJson = scope.getDefaultJsonParser('error', 'ignore');
    scope.removeContentTypeParser('application/json');
    scope.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
      const text = typeof body === 'string' ? body : body.toString('utf8');
      if (text.trim() === '') return done(null, undefined);
      defaultJson(req, text, done);
    });
    routes(scope, ctx);
  });
}

function routes(app: FastifyInstance, ctx: EmulatorContext): void {
  /** `/me{suffix}` and `/users/:id{suffix}`, resolving the target (404 for an unknown id or UPN, 8.3 step 1). */
  const both = (method: 'GET' | 'POST' | 'DELETE', suffix: string, handler: (t: Target, req: FastifyRequest, reply: FastifyReply) => Promise<unknown>) => {
    app.route({
      method,
      url: `/me${suffix}`,
      handler: async (req, reply) => {
        const caller = await authenticate(req, ctx);
        return handler({ caller, target: caller.user }, req, reply);
      },
    });
    app.route({
      method,
      url: `/users/:id${suffix}`,
      handler: async (req, reply) => {
        const caller = await authenticate(req, ctx);
        const id = (req.params as { id: string }).id;
        const target = ctx.state.findUser(id);
        if (!target) throw notFound(id);
        return handler({ caller, target }, req, reply);
      },
    });
  };
  const param = (req: FastifyRequest, name: string) => (req.params as Record<string, string>)[name] ?? '';

  // --- all methods (5.1) ---------------------------------------------------------------------------------------
  both('GET', '/authentication/methods', async ({ caller, target }, req) => {
    authorizeRead(ctx, caller, target, ALL_METHODS);
    return {
      '@odata.context': `${metadataBase(req, ctx)}#users('${target.id}')/authentication/methods`,
      value: allMethods(ctx, target),
    };
  });

  both('GET', '/authentication/methods/:methodId', async ({ caller, target }, req) => {
    authorizeRead(ctx, caller, target, ALL_METHODS);
    const methodId = param(req, 'methodId');
    const found = allMethods(ctx, target).find((m) => m.id.toLowerCase() === methodId.toLowerCase());
    if (!found) throw notFound(methodId);
    return { '@odata.context': `${metadataBase(req, ctx)}#users('${target.id}')/authentication/methods/$entity`, ...found };
  });

  // --- Temporary Access Pass (1, 8.3, 8.4) ---------------------------------------------------------------------
  both('GET', '/authentication/temporaryAccessPassMethods', async ({ caller, target }, req) => {
    authorizeRead(ctx, caller, target, TAP_SCOPES);
    const tap = ctx.state.taps.get(target.id);
    return {
      '@odata.context': `${metadataBase(req, ctx)}#users('${target.id}')/authentication/temporaryAccessPassMethods`,
      // At most one; the list doc's items carry no @odata.type.
      value: tap ? [tapView(ctx, tap, { withType: false, revealPass: false })] : [],
    };
  });

  both('GET', '/authentication/temporaryAccessPassMethods/:tapId', async ({ caller, target }, req) => {
    authorizeRead(ctx, caller, target, TAP_SCOPES);
    const tapId = param(req, 'tapId');
    const tap = ctx.state.taps.get(target.id);
    if (!tap || tap.id.toLowerCase() !== tapId.toLowerCase()) throw notFound(tapId);
    return tapView(ctx, tap, { withType: true, revealPass: false });
  });

  both('POST', '/authentication/temporaryAccessPassMethods', async ({ caller, target }, req, reply) => {
    // `Content-Type: application/json` is required; a non-JSON body never gets here (the Graph scope refuses it
    // with 415), and neither may a request without any body and without the header.
    if (req.body === undefined && !isJson(req)) throw UNSUPPORTED_MEDIA_TYPE();
    const body = parseTapBody(req.body);
    const policy = ctx.state.tapPolicy;
    // 2 + 3: scope, then role vs target, and nobody for themselves.
    authorizeWrite(ctx, caller, target, TAP_SCOPES, 'deny');
    // 3b: an account created moments ago is not yet known where methods are added. What Graph answers then is
    // reproduced from public reports of the replication delay: 404 with the directory's "Resource '<id>' does not
    // exist or one of its queried reference-property objects are not present." (body as in Azure/AzureGraph#8;
    // "Not Found" for a new user: microsoftgraph/msgraph-sdk-dotnet#2772). No report shows the body for the
    // TAP call itself: that exact body is an assumption.
    const created = Date.parse(target.createdDateTime ?? '');
    if (Number.isFinite(created) && ctx.clock.now().getTime() - created < ctx.state.newAccountMethodDelayMs) {
      throw new GraphError(
        404,
        'Request_ResourceNotFound',
        `Resource '${target.id}' does not exist or one of its queried reference-property objects are not present.`,
      );
    }
    // 4: external guests cannot have a TAP; internal guests (a home in this tenant) can. A disabled account can:
    // creating is allowed, signing in with it is what fails.
    if (target.isExternal) throw new GraphError(400, 'badRequest', 'Temporary Access Pass cannot be added to an external guest user.');
    // 5: the policy must be enabled and target the user.
    if (policy.state !== 'enabled' || !ctx.state.isTargeted(policy, target)) {
      throw new GraphError(
        400,
        'badRequest',
        'Converged UserCredentialPolicy does not allow creating or updating this authentication method. AuthMethodType [TemporaryAccessPass].',
      );
    }
    // 6: lifetime within 10..43200 and within the policy's range; the message names the policy's bounds.
    const lifetime = body.lifetimeInMinutes ?? policy.defaultLifetimeInMinutes;
    if (lifetime < 10 || lifetime > 43200 || lifetime < policy.minimumLifetimeInMinutes || lifetime > policy.maximumLifetimeInMinutes) {
      const message = `Invalid LifetimeInMinutes specified. The valid range between ${policy.minimumLifetimeInMinutes} and ${policy.maximumLifetimeInMinutes}.`;
      throw new GraphError(400, 'badRequest', message, { innerMessage: message });
    }
    // 7: a multi-use pass only if the policy allows it.
    if (body.isUsableOnce === false && policy.isUsableOnce) {
      throw new GraphError(400, 'badRequest', 'The Temporary Access Pass policy only allows one-time use passes: isUsableOnce must be true.');
    }
    // 8: one TAP per user: a new one replaces the old, with a new id.
    const now = ctx.clock.now();
    const tap: TapRecord = {
      id: randomUUID(),
      userId: target.id,
      pass: generatePass(policy.defaultLength),
      createdDateTime: now,
      startDateTime: body.startDateTime ?? now,
      lifetimeInMinutes: lifetime,
      isUsableOnce: body.isUsableOnce ?? policy.isUsableOnce,
      usedDateTime: null,
    };
    ctx.state.taps.set(target.id, tap);
    ctx.issuedPasses.push(tap.pass);
    recordTapAudit(ctx, req, caller, target, 'create');
    // 9: 201 with the pass, the only time it is ever returned.
    return reply.code(201).send(tapView(ctx, tap, { withType: true, revealPass: true }));
  });

  both('DELETE', '/authentication/temporaryAccessPassMethods/:tapId', async ({ caller, target }, req, reply) => {
    authorizeWrite(ctx, caller, target, TAP_SCOPES, 'deny');
    const tapId = param(req, 'tapId');
    const tap = ctx.state.taps.get(target.id);
    if (!tap || tap.id.toLowerCase() !== tapId.toLowerCase()) throw notFound(tapId);
    ctx.state.taps.delete(target.id);
    recordTapAudit(ctx, req, caller, target, 'delete');
    return reply.code(204).send();
  });

  // --- FIDO2 security keys (4.1) -------------------------------------------------------------------------------
  both('GET', '/authentication/fido2Methods', async ({ caller, target }, req) => {
    authorizeRead(ctx, caller, target, FIDO2_SCOPES);
    return {
      '@odata.context': `${metadataBase(req, ctx)}#users('${target.id}')/authentication/fido2Methods`,
      value: ctx.state.fido2Of(target.id).map(fido2View),
    };
  });

  const findKey = (target: UserRecord, keyId: string) => {
    const key = ctx.state.fido2.get(keyId);
    if (!key || key.userId !== target.id) throw notFound(keyId);
    return key;
  };

  // --- passkey provisioning (4.2, 4.3) ---------------------------------------------------------------------------
  /** ReadWrite.All scopes; not for oneself ("Self-service operations aren't currently supported"). */
  const authorizeProvisioning = (caller: Caller, target: UserRecord, mayRead: boolean) => {
    if (!hasAnyScope(caller, ['UserAuthMethod-Passkey.ReadWrite.All', UAM.readWriteAll])) throw accessDenied();
    if (caller.user.id === target.id) throw accessDenied();
    // creationOptions also lists Global Reader among its roles (v1.0 doc); POST only AA and PAA.
    if (mayRead && ctx.state.rolesOf(caller.user).includes(Role.GlobalReader)) return;
    if (!mayManageMethodsOf(ctx.state, caller.user, target).allowed) throw accessDenied();
  };
  const creationOptions = (t: Target, req: FastifyRequest, functionCall: string | undefined) => {
    const minutes = challengeMinutes(req, functionCall);
    authorizeProvisioning(t.caller, t.target, true);
    return creationOptionsBody(ctx, req, t.target, minutes);
  };
  both('GET', '/authentication/fido2Methods/creationOptions', async (t, req) => creationOptions(t, req, undefined));

  both('POST', '/authentication/fido2Methods', async ({ caller, target }, req, reply) => {
    if (req.body === undefined && !isJson(req)) throw UNSUPPORTED_MEDIA_TYPE();
    authorizeProvisioning(caller, target, false);
    const key = await registerPasskey(ctx, target, req.body);
    return reply.code(201).send(fido2View(key));
  });

  both('GET', '/authentication/fido2Methods/:keyId', async (t, req) => {
    const { caller, target } = t;
    const keyId = param(req, 'keyId');
    // The beta function-call form: creationOptions(challengeTimeoutInMinutes=10).
    if (keyId.startsWith('creationOptions(')) return creationOptions(t, req, keyId.slice('creationOptions'.length));
    authorizeRead(ctx, caller, target, FIDO2_SCOPES);
    const key = findKey(target, keyId);
    return { '@odata.context': `${metadataBase(req, ctx)}#users('${target.id}')/authentication/fido2Methods/$entity`, ...fido2View(key) };
  });

  both('DELETE', '/authentication/fido2Methods/:keyId', async ({ caller, target }, req, reply) => {
    authorizeWrite(ctx, caller, target, FIDO2_SCOPES, 'allow');
    const key = findKey(target, param(req, 'keyId'));
    ctx.state.fido2.delete(key.id);
    return reply.code(204).send();
  });

  // --- revokeSignInSessions (5.4) ------------------------------------------------------------------------------
  both('POST', '/revokeSignInSessions', async ({ caller, target }, req) => {
    const scopes = ['User.RevokeSessions.All', 'User.ReadWrite.All', 'Directory.ReadWrite.All'];
    if (!hasAnyScope(caller, scopes)) throw authorizationDenied();
    // Anyone may end their own sessions; on others the Authentication Administrator's target limits apply (5.4).
    if (caller.user.id !== target.id && !mayManageMethodsOf(ctx.state, caller.user, target).allowed) throw authorizationDenied();
    // The identity provider refuses refresh tokens issued before this instant.
    target.signInSessionsValidFromDateTime = ctx.clock.now();
    return { '@odata.context': `${metadataBase(req, ctx)}#Edm.Boolean`, value: true };
  });
}
