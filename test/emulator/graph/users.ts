// Graph users: get by id or UPN, list with $filter / $search / $select / $top / $count / $orderby, /me,
// the caller's directory roles (transitiveMemberOf cast to directoryRole), memberOf, and profile photos
// (entra-graph.md 5.2, 5.3, 5.5, 6.1, 6.3).
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { EmulatorContext } from '../context';
import { GraphError, authorizationDenied, notFound } from '../errors';
import { ROLE_NAMES, Role, type UserRecord } from '../model';
import { authenticate, hasAnyScope, type Caller } from './auth';
import { asSeenBy } from './limited-info';
import { type OrderBy, type SearchNode, ODataSyntaxError, parseOrderBy, parseSearch, parseSelect } from './odata';
import { type FilterArgument, type FilterNode, type Literal, parseFilter } from './odata-filter';

// ---------------------------------------------------------------------------------------------------------
// Errors, with the texts the reference quotes (5.2) or that the real service is seen to send.

const ADVANCED_HINT =
  'is not supported because the required parameters might be missing. Try adding $count=true query parameter and ConsistencyLevel:eventual header. Refer to https://aka.ms/graph-docs/advanced-queries for more information';

export const QueryErrors = {
  /** [OBS] what Graph answers for a $filter it cannot parse (e.g. `accountEnabled eq 'true'`). */
  invalidFilter: (detail?: string) => new GraphError(400, 'BadRequest', 'Invalid filter clause', detail ? { innerMessage: detail } : {}),
  /** [INF] the same shape for a $search that is not `"property:value"` clauses joined by AND/OR. */
  invalidSearch: (detail?: string) => new GraphError(400, 'BadRequest', 'Invalid search clause', detail ? { innerMessage: detail } : {}),
  /** [DOC] aad-advanced-queries.md. */
  searchNeedsHeader: () =>
    new GraphError(
      400,
      'Request_UnsupportedQuery',
      "Request with $search query parameter only works through MSGraph with a special request header: 'ConsistencyLevel: eventual'",
    ),
  /** [DOC] aad-advanced-queries.md, with the operator's name. */
  operatorNeedsAdvanced: (operator: string) => new GraphError(400, 'Request_UnsupportedQuery', `Operator '${operator}' ${ADVANCED_HINT}`),
  /** [DOC] aad-advanced-queries.md. */
  unsupportedClause: (property: string, resource: string) =>
    new GraphError(
      400,
      'Request_UnsupportedQuery',
      `Unsupported or invalid query filter clause specified for property '${property}' of resource '${resource}'.`,
    ),
  /** [INF] modelled on the filter text. */
  unsupportedSearch: (property: string, resource: string) =>
    new GraphError(
      400,
      'Request_UnsupportedQuery',
      `Unsupported or invalid query search clause specified for property '${property}' of resource '${resource}'.`,
    ),
  /** [OBS] the directory's text for a property the type does not have. */
  unknownProperty: (property: string, type: string) =>
    new GraphError(400, 'Request_BadRequest', `Could not find a property named '${property}' on type 'Microsoft.DirectoryServices.${type}'.`),
  /** [OBS] known issue: `in` is limited to 15 expressions by default. */
  tooManyClauses: (n: number) =>
    new GraphError(
      400,
      'Request_UnsupportedQuery',
      `Too many child clauses specified in search filter expression containing 'OR' operators: ${n}. Max allowed: 15.`,
    ),
  /** [OBS] $orderby combined with $filter without advanced query parameters, or on an unsortable property. */
  sortingNotSupported: () => new GraphError(400, 'Request_UnsupportedQuery', 'Sorting not supported for current query.'),
  /** [DOC] aad-advanced-queries.md. */
  countNotSupported: () => new GraphError(400, 'Request_BadRequest', '$count is not currently supported.'),
  /** [OBS] */
  invalidPageSize: (raw: string) => new GraphError(400, 'Request_BadRequest', `Invalid page size specified: '${raw}'. Must be between 1 and 999 inclusive.`),
  /** OData's texts for a malformed or repeated system query option. */
  invalidTop: (raw: string) =>
    new GraphError(400, 'BadRequest', `Invalid value '${raw}' for $top query option found. The $top query option requires a non-negative integer value.`),
  repeatedOption: (name: string) =>
    new GraphError(400, 'BadRequest', `Query option '${name}' was specified more than once, but it must be specified at most once.`),
  unsupportedOption: (name: string) => new GraphError(400, 'BadRequest', `The query parameter '${name}' is not supported.`),
  skipNotSupported: () => new GraphError(400, 'Request_BadRequest', "'$skip' is not supported by the service."),
  /** [INF] skip tokens are opaque; one that was not issued for this query is refused. */
  invalidSkipToken: () => new GraphError(400, 'Request_BadRequest', 'The specified page token value is invalid.'),
  /** [OBS] microsoft-graph-docs#11967 and SDK issues: a user without a photo. */
  imageNotFound: () => new GraphError(404, 'ImageNotFound', "Exception of type 'Microsoft.Fast.Profile.Core.Exception.ImageNotFoundException' was thrown."),
};

// ---------------------------------------------------------------------------------------------------------
// The queryable schema: which properties exist, which are in the default set, which need User.Read.All,
// and how each supports $filter / $search / $orderby (concepts/includes/filter-directory-objects.md).

type Support = 'default' | 'advanced';
type PropertyType = 'string' | 'boolean' | 'dateTime' | 'strings';

export interface PropertySpec<T> {
  name: string;
  type: PropertyType;
  get: (item: T) => unknown;
  filter?: { eq?: Support; startsWith?: Support; endsWith?: Support; eqNull?: Support; range?: Support };
  search?: 'tokenized' | 'startsWith';
  orderBy?: Support;
}

export interface ResourceSchema<T> {
  /** As the directory names it in errors: 'User', 'DirectoryRole'. */
  resource: string;
  properties: Map<string, PropertySpec<T>>;
}

function schema<T>(resource: string, specs: PropertySpec<T>[]): ResourceSchema<T> {
  return { resource, properties: new Map(specs.map((s) => [s.name.toLowerCase(), s])) };
}

const D: Support = 'default';
const A: Support = 'advanced';
const SEED_CREATED = '2024-01-15T08:00:00Z';

const USER = schema<UserRecord>('User', [
  { name: 'id', type: 'string', get: (u) => u.id, filter: { eq: D } },
  { name: 'accountEnabled', type: 'boolean', get: (u) => u.accountEnabled, filter: { eq: D } },
  { name: 'ageGroup', type: 'string', get: () => null, filter: { eq: D } },
  { name: 'businessPhones', type: 'strings', get: (u) => u.businessPhones },
  { name: 'city', type: 'string', get: () => null, filter: { eq: D, startsWith: D, eqNull: A } },
  { name: 'companyName', type: 'string', get: () => null, filter: { eq: A, startsWith: A, eqNull: A } },
  { name: 'country', type: 'string', get: () => null, filter: { eq: D, startsWith: D, eqNull: A } },
  { name: 'createdDateTime', type: 'dateTime', get: (u) => u.createdDateTime ?? SEED_CREATED, filter: { eq: D, range: D, eqNull: A }, orderBy: A },
  { name: 'creationType', type: 'string', get: (u) => (u.isExternal ? 'Invitation' : null), filter: { eq: D } },
  { name: 'deletedDateTime', type: 'dateTime', get: () => null, orderBy: A },
  { name: 'department', type: 'string', get: (u) => u.department, filter: { eq: D, startsWith: D, eqNull: A } },
  { name: 'displayName', type: 'string', get: (u) => u.displayName, filter: { eq: D, startsWith: D, eqNull: A }, search: 'tokenized', orderBy: D },
  { name: 'employeeHireDate', type: 'dateTime', get: () => null, filter: { eq: A, range: A } },
  // startsWith: "Supports $filter (eq, ne, not, ge, le, in, startsWith, and eq on null values)" (v1.0 user resource).
  { name: 'employeeId', type: 'string', get: (u) => u.employeeId, filter: { eq: D, startsWith: D, eqNull: A }, search: 'startsWith' },
  { name: 'employeeType', type: 'string', get: () => null, filter: { eq: A } },
  { name: 'externalUserState', type: 'string', get: (u) => (u.isExternal ? 'Accepted' : null), filter: { eq: D } },
  { name: 'faxNumber', type: 'string', get: () => null, filter: { eq: A, startsWith: A, eqNull: A } },
  { name: 'givenName', type: 'string', get: (u) => u.givenName, filter: { eq: D, startsWith: D, eqNull: A }, search: 'startsWith' },
  { name: 'imAddresses', type: 'strings', get: () => [] },
  { name: 'isResourceAccount', type: 'boolean', get: () => null, filter: { eq: D } },
  { name: 'jobTitle', type: 'string', get: (u) => u.jobTitle, filter: { eq: D, startsWith: D, eqNull: A }, search: 'startsWith' },
  { name: 'mail', type: 'string', get: (u) => u.mail, filter: { eq: D, startsWith: D, endsWith: A, eqNull: A }, search: 'startsWith' },
  { name: 'mailNickname', type: 'string', get: (u) => mailNickname(u), filter: { eq: D, startsWith: D, eqNull: A }, search: 'startsWith' },
  { name: 'mobilePhone', type: 'string', get: (u) => u.mobilePhone, filter: { eq: A, startsWith: A, eqNull: A } },
  { name: 'officeLocation', type: 'string', get: (u) => u.officeLocation, filter: { eq: A, startsWith: A, eqNull: A } },
  { name: 'onPremisesImmutableId', type: 'string', get: () => null, filter: { eq: D } },
  { name: 'onPremisesSamAccountName', type: 'string', get: () => null, filter: { eq: A, startsWith: A } },
  { name: 'onPremisesSecurityIdentifier', type: 'string', get: () => null, filter: { eq: D, eqNull: A } },
  { name: 'onPremisesSyncEnabled', type: 'boolean', get: () => null, filter: { eq: D, eqNull: A } },
  { name: 'otherMails', type: 'strings', get: () => [] },
  { name: 'postalCode', type: 'string', get: () => null, filter: { eq: A, startsWith: A, eqNull: A } },
  { name: 'preferredLanguage', type: 'string', get: (u) => u.preferredLanguage, filter: { eq: A, startsWith: A, eqNull: A } },
  { name: 'proxyAddresses', type: 'strings', get: (u) => (u.mail ? [`SMTP:${u.mail}`] : []) },
  { name: 'signInSessionsValidFromDateTime', type: 'dateTime', get: (u) => u.signInSessionsValidFromDateTime.toISOString().replace('.000Z', 'Z') },
  { name: 'state', type: 'string', get: () => null, filter: { eq: D, eqNull: A } },
  { name: 'streetAddress', type: 'string', get: () => null, filter: { eq: A, startsWith: A, eqNull: A } },
  { name: 'surname', type: 'string', get: (u) => u.surname, filter: { eq: D, startsWith: D, eqNull: A }, search: 'startsWith' },
  { name: 'usageLocation', type: 'string', get: () => null, filter: { eq: D, startsWith: D, eqNull: A } },
  {
    name: 'userPrincipalName',
    type: 'string',
    get: (u) => u.userPrincipalName,
    filter: { eq: D, startsWith: D, endsWith: A },
    search: 'startsWith',
    orderBy: D,
  },
  { name: 'userType', type: 'string', get: (u) => u.userType, filter: { eq: D, eqNull: A } },
]);

/** v1.0 returns only these unless $select asks for more (user-get.md). */
export const DEFAULT_USER_PROPERTIES = [
  'businessPhones',
  'displayName',
  'givenName',
  'jobTitle',
  'mail',
  'mobilePhone',
  'officeLocation',
  'preferredLanguage',
  'surname',
  'userPrincipalName',
  'id',
] as const;

/** What User.ReadBasic.All may read: display name, first and last name, mail, UPN, id (and the photo). */
export const BASIC_USER_PROPERTIES = new Set(['id', 'displayName', 'givenName', 'surname', 'mail', 'userPrincipalName']);

function mailNickname(u: UserRecord): string {
  return (u.userPrincipalName.split('@')[0] ?? '').replace(/#EXT#$/i, '');
}

interface DirectoryRole {
  '@odata.type': '#microsoft.graph.directoryRole';
  id: string;
  deletedDateTime: null;
  description: string;
  displayName: string;
  roleTemplateId: string;
}

const ROLE = schema<DirectoryRole>('DirectoryRole', [
  { name: 'id', type: 'string', get: (r) => r.id, filter: { eq: D } },
  { name: 'deletedDateTime', type: 'dateTime', get: () => null },
  { name: 'description', type: 'string', get: (r) => r.description, filter: { eq: A, startsWith: A, eqNull: A }, search: 'tokenized' },
  { name: 'displayName', type: 'string', get: (r) => r.displayName, filter: { eq: D, startsWith: A, eqNull: A }, search: 'tokenized', orderBy: A },
  { name: 'roleTemplateId', type: 'string', get: (r) => r.roleTemplateId, filter: { eq: D } },
]);

/** Built-in role descriptions (entra-docs permissions-reference.md), for the directoryRole objects. */
const ROLE_DESCRIPTIONS: Record<string, string> = {
  [Role.GlobalAdministrator]: 'Can manage all aspects of Microsoft Entra ID and Microsoft services that use Microsoft Entra identities.',
  [Role.PrivilegedAuthenticationAdministrator]: 'Can access to view, set and reset authentication method information for any user (admin or non-admin).',
  [Role.AuthenticationAdministrator]: 'Can access to view, set and reset authentication method information for any non-admin user.',
  [Role.AuthenticationPolicyAdministrator]:
    'Can create and manage the authentication methods policy, tenant-wide MFA settings, password protection policy, and verifiable credentials.',
  [Role.GlobalReader]: 'Can read everything that a Global Administrator can, but not update anything.',
  [Role.PrivilegedRoleAdministrator]: 'Can manage role assignments in Microsoft Entra ID, and all aspects of Privileged Identity Management.',
  [Role.UserAdministrator]: 'Can manage all aspects of users and groups, including resetting passwords for limited admins.',
  [Role.HelpdeskAdministrator]: 'Can reset passwords for non-administrators and Helpdesk Administrators.',
};

/** A directoryRole's object id differs from its template id and is stable for the tenant. */
export function directoryRoleObjectId(tenantId: string, roleTemplateId: string): string {
  const h = createHash('sha256').update(`directoryRole:${tenantId}:${roleTemplateId}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${((parseInt(h[16] ?? '8', 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function directoryRole(ctx: EmulatorContext, roleTemplateId: string): DirectoryRole {
  return {
    '@odata.type': '#microsoft.graph.directoryRole',
    id: directoryRoleObjectId(ctx.state.tenantId, roleTemplateId),
    deletedDateTime: null,
    description: ROLE_DESCRIPTIONS[roleTemplateId] ?? '',
    displayName: ROLE_NAMES[roleTemplateId] ?? roleTemplateId,
    roleTemplateId,
  };
}

// ---------------------------------------------------------------------------------------------------------
// Who may read what.

const USER_READ_ALL = ['User.Read.All', 'User.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All', 'Directory.AccessAsUser.All'];
const USER_READ_BASIC = ['User.ReadBasic.All'];
const USER_READ_SELF = ['User.Read', 'User.ReadWrite'];
const MEMBERSHIP_READ_OTHERS = [...USER_READ_ALL, ...USER_READ_BASIC, 'GroupMember.Read.All', 'Group.Read.All'];
/** group-list-members.md: GroupMember.Read.All is the least privileged; the write permissions include reading. */
export const GROUP_MEMBER_READ = [
  'GroupMember.Read.All',
  'GroupMember.ReadWrite.All',
  'Group.Read.All',
  'Group.ReadWrite.All',
  'Directory.Read.All',
  'Directory.ReadWrite.All',
  'Directory.AccessAsUser.All',
];

type Access = 'full' | 'basic';

/** Full profile with User.Read.All (or User.Read for oneself); the basic set with User.ReadBasic.All. */
function accessTo(caller: Caller, target: UserRecord): Access | null {
  if (hasAnyScope(caller, USER_READ_ALL)) return 'full';
  if (caller.user.id === target.id && hasAnyScope(caller, USER_READ_SELF)) return 'full';
  if (hasAnyScope(caller, USER_READ_BASIC)) return 'basic';
  return null;
}

function requireListAccess(caller: Caller): void {
  if (!hasAnyScope(caller, [...USER_READ_ALL, ...USER_READ_BASIC])) throw authorizationDenied();
}

// ---------------------------------------------------------------------------------------------------------
// Query options.

interface QueryOptions {
  raw: URLSearchParams;
  filter?: string;
  search?: string;
  select?: string;
  orderby?: string;
  top?: string;
  skiptoken?: string;
  count: boolean;
  /** `ConsistencyLevel: eventual` was sent. */
  eventual: boolean;
}

const KNOWN_OPTIONS = new Set(['$filter', '$search', '$select', '$orderby', '$top', '$skiptoken', '$count', '$expand', '$skip', '$format']);

function readQuery(req: FastifyRequest): QueryOptions {
  const q = req.url.indexOf('?');
  const raw = new URLSearchParams(q < 0 ? '' : req.url.slice(q + 1));
  const one = (name: string): string | undefined => {
    const all = raw.getAll(name);
    if (all.length > 1) throw QueryErrors.repeatedOption(name);
    return all[0];
  };
  for (const key of new Set(raw.keys())) {
    if (!key.startsWith('$')) continue;
    if (!KNOWN_OPTIONS.has(key)) throw QueryErrors.unsupportedOption(key);
    one(key);
  }
  if (raw.has('$skip')) throw QueryErrors.skipNotSupported();
  if (raw.has('$expand')) throw QueryErrors.unsupportedOption('$expand');
  const header = req.headers.consistencylevel;
  const eventual = (Array.isArray(header) ? header : [header ?? '']).some((h) => h.trim().toLowerCase() === 'eventual');
  const opt = (name: string) => {
    const v = one(name);
    return v === undefined || v.trim() === '' ? undefined : v;
  };
  return {
    raw,
    filter: opt('$filter'),
    search: opt('$search'),
    select: opt('$select'),
    orderby: opt('$orderby'),
    top: opt('$top'),
    skiptoken: opt('$skiptoken'),
    count: (one('$count') ?? '').toLowerCase() === 'true',
    eventual,
  };
}

/** Advanced query parameters: the header *and* $count=true (aad-advanced-queries.md). */
const isAdvanced = (q: QueryOptions) => q.eventual && q.count;

function property<T>(s: ResourceSchema<T>, name: string): PropertySpec<T> {
  const p = s.properties.get(name.toLowerCase());
  if (!p) throw QueryErrors.unknownProperty(name, s.resource);
  return p;
}

function selected<T>(s: ResourceSchema<T>, q: QueryOptions): PropertySpec<T>[] | null {
  if (q.select === undefined) return null;
  try {
    return parseSelect(q.select).map((n) => property(s, n));
  } catch (e) {
    if (e instanceof ODataSyntaxError) throw new GraphError(400, 'BadRequest', `Invalid $select clause: ${e.detail}.`);
    throw e;
  }
}

// ---------------------------------------------------------------------------------------------------------
// $filter: validate against the schema, then evaluate.

const ODATA_FUNCTIONS = new Set([
  'contains',
  'substringof',
  'tolower',
  'toupper',
  'trim',
  'length',
  'indexof',
  'substring',
  'concat',
  'year',
  'month',
  'day',
  'hour',
  'minute',
  'second',
  'date',
  'time',
  'now',
  'round',
  'floor',
  'ceiling',
  'cast',
  'isof',
  'any',
  'all',
  'matchespattern',
]);

function requireSupport(level: Support | undefined, advanced: boolean, property: string, resource: string): void {
  if (level === undefined || (level === 'advanced' && !advanced)) throw QueryErrors.unsupportedClause(property, resource);
}

function checkLiteral(spec: PropertySpec<unknown>, value: Literal): void {
  if (value.kind === 'null') return;
  const ok =
    (spec.type === 'string' && value.kind === 'string') ||
    (spec.type === 'boolean' && value.kind === 'boolean') ||
    (spec.type === 'dateTime' && value.kind === 'dateTime');
  if (!ok) throw QueryErrors.invalidFilter(`A binary operator with incompatible types was detected: '${spec.name}' and a ${value.kind} literal.`);
}

function callShape<T>(s: ResourceSchema<T>, args: FilterArgument[], fn: string): { spec: PropertySpec<T>; value: string } {
  const [a, b] = args;
  if (args.length !== 2 || a?.kind !== 'property' || b?.kind !== 'literal' || b.value.kind !== 'string') {
    throw QueryErrors.invalidFilter(`${fn} takes a property and a string literal.`);
  }
  return { spec: property(s, a.name), value: b.value.value };
}

/** Throws the error Graph would answer with; returns when the filter is acceptable for this request. */
export function validateFilter<T>(node: FilterNode, s: ResourceSchema<T>, advanced: boolean): void {
  switch (node.type) {
    case 'and':
    case 'or':
      validateFilter(node.left, s, advanced);
      validateFilter(node.right, s, advanced);
      return;
    case 'not':
      if (!advanced) throw QueryErrors.operatorNeedsAdvanced('not');
      validateFilter(node.operand, s, advanced);
      return;
    case 'compare': {
      const spec = property(s, node.property);
      if (node.op === 'ne' && !advanced) throw QueryErrors.operatorNeedsAdvanced('ne');
      const f = spec.filter ?? {};
      if (node.op === 'eq' || node.op === 'ne') requireSupport(node.value.kind === 'null' ? f.eqNull : f.eq, advanced, spec.name, s.resource);
      else requireSupport(f.range, advanced, spec.name, s.resource);
      if (node.value.kind === 'null' && node.op !== 'eq' && node.op !== 'ne') throw QueryErrors.invalidFilter('null can only be compared with eq or ne.');
      checkLiteral(spec as PropertySpec<unknown>, node.value);
      return;
    }
    case 'in': {
      const spec = property(s, node.property);
      requireSupport(spec.filter?.eq, advanced, spec.name, s.resource);
      if (!advanced && node.values.length > 15) throw QueryErrors.tooManyClauses(node.values.length);
      for (const v of node.values) {
        if (v.kind === 'null') throw QueryErrors.invalidFilter("null is not allowed in an 'in' list.");
        checkLiteral(spec as PropertySpec<unknown>, v);
      }
      return;
    }
    case 'call': {
      const fn = node.name.toLowerCase();
      if (node.negated && !advanced) throw QueryErrors.operatorNeedsAdvanced('not');
      if (fn === 'startswith') {
        const { spec } = callShape(s, node.args, node.name);
        requireSupport(spec.filter?.startsWith, advanced, spec.name, s.resource);
        return;
      }
      if (fn === 'endswith') {
        if (!advanced) throw QueryErrors.operatorNeedsAdvanced('endsWith');
        const { spec } = callShape(s, node.args, node.name);
        requireSupport(spec.filter?.endsWith, advanced, spec.name, s.resource);
        return;
      }
      if (ODATA_FUNCTIONS.has(fn)) {
        const p = node.args.find((a) => a.kind === 'property');
        if (p?.kind === 'property') throw QueryErrors.unsupportedClause(property(s, p.name).name, s.resource);
        throw QueryErrors.invalidFilter(`The function '${node.name}' is not supported.`);
      }
      throw QueryErrors.invalidFilter(`An unknown function with name '${node.name}' was found.`);
    }
  }
}

/** Directory string comparison ignores case. */
const fold = (s: string) => s.normalize('NFC').toLowerCase();

function equals(actual: unknown, literal: Literal): boolean {
  if (literal.kind === 'null') return actual === null || actual === undefined;
  if (actual === null || actual === undefined) return false;
  if (literal.kind === 'string') return typeof actual === 'string' && fold(actual) === fold(literal.value);
  if (literal.kind === 'boolean') return actual === literal.value;
  if (literal.kind === 'dateTime') return typeof actual === 'string' && Date.parse(actual) === literal.value.getTime();
  return false;
}

function compareRange(actual: unknown, op: string, literal: Literal): boolean {
  if (literal.kind !== 'dateTime' || typeof actual !== 'string') return false;
  const a = Date.parse(actual);
  const b = literal.value.getTime();
  return op === 'gt' ? a > b : op === 'ge' ? a >= b : op === 'lt' ? a < b : a <= b;
}

export function matchesFilter<T>(node: FilterNode, item: T, s: ResourceSchema<T>): boolean {
  switch (node.type) {
    case 'and':
      return matchesFilter(node.left, item, s) && matchesFilter(node.right, item, s);
    case 'or':
      return matchesFilter(node.left, item, s) || matchesFilter(node.right, item, s);
    case 'not':
      return !matchesFilter(node.operand, item, s);
    case 'compare': {
      const actual = property(s, node.property).get(item);
      if (node.op === 'eq') return equals(actual, node.value);
      if (node.op === 'ne') return !equals(actual, node.value);
      return compareRange(actual, node.op, node.value);
    }
    case 'in': {
      const actual = property(s, node.property).get(item);
      return node.values.some((v) => equals(actual, v));
    }
    case 'call': {
      const { spec, value } = callShape(s, node.args, node.name);
      const actual = spec.get(item);
      const fn = node.name.toLowerCase();
      const hit = typeof actual === 'string' && (fn === 'startswith' ? fold(actual).startsWith(fold(value)) : fold(actual).endsWith(fold(value)));
      return node.negated ? !hit : hit;
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// $search: tokenized on displayName/description, startsWith on other properties (search-query-parameter.md).

/** Splits on spaces, symbols, digit/letter boundaries and lower→upper case changes. */
export function searchTokens(text: string): string[] {
  const tokens: string[] = [];
  let current = '';
  let prev: 'lower' | 'upper' | 'digit' | null = null;
  for (const ch of text.normalize('NFC')) {
    const kind = /\p{Lu}|\p{Lt}/u.test(ch) ? 'upper' : /\p{L}|\p{M}/u.test(ch) ? 'lower' : /\p{Nd}/u.test(ch) ? 'digit' : null;
    if (kind === null) {
      if (current) tokens.push(current);
      current = '';
      prev = null;
      continue;
    }
    const boundary = prev !== null && ((prev === 'digit') !== (kind === 'digit') || (prev === 'lower' && kind === 'upper'));
    if (boundary && current) {
      tokens.push(current);
      current = '';
    }
    current += ch;
    prev = kind;
  }
  if (current) tokens.push(current);
  return tokens.map(fold);
}

/** Every query token must begin one of the value's tokens, or a run of them ("helloworld" ~ "hello-world"). */
export function tokenizedMatch(value: string, query: string): boolean {
  const words = searchTokens(value);
  const wanted = searchTokens(query);
  if (wanted.length === 0) return false;
  const runs = words.map((_, i) => words.slice(i).join(''));
  return wanted.every((w) => runs.some((r) => r.startsWith(w)));
}

function validateSearch<T>(node: SearchNode, s: ResourceSchema<T>): void {
  if (node.type !== 'term') {
    validateSearch(node.left, s);
    validateSearch(node.right, s);
    return;
  }
  const spec = property(s, node.property);
  if (!spec.search) throw QueryErrors.unsupportedSearch(spec.name, s.resource);
  if (node.value.trim() === '') throw QueryErrors.invalidSearch(`The clause for '${spec.name}' has no value.`);
}

function matchesSearch<T>(node: SearchNode, item: T, s: ResourceSchema<T>): boolean {
  if (node.type !== 'term') {
    return node.type === 'and'
      ? matchesSearch(node.left, item, s) && matchesSearch(node.right, item, s)
      : matchesSearch(node.left, item, s) || matchesSearch(node.right, item, s);
  }
  const spec = property(s, node.property);
  const actual = spec.get(item);
  if (typeof actual !== 'string') return false;
  if (spec.search === 'tokenized') return tokenizedMatch(actual, node.value);
  return fold(actual).startsWith(fold(node.value.trim()));
}

// ---------------------------------------------------------------------------------------------------------
// Listing: filter, search, order, page, count.

const collator = new Intl.Collator('en', { sensitivity: 'base' });

interface ListResult<T> {
  items: T[];
  count: number;
  nextSkip: number | null;
}

function pageSize(q: QueryOptions): number {
  if (q.top === undefined) return 100;
  if (!/^-?\d+$/.test(q.top.trim())) throw QueryErrors.invalidTop(q.top);
  const n = Number(q.top.trim());
  if (!Number.isSafeInteger(n) || n < 1 || n > 999) throw QueryErrors.invalidPageSize(q.top.trim());
  return n;
}

function queryFingerprint(q: QueryOptions, scope: string): string {
  return createHash('sha256')
    .update(JSON.stringify([scope, q.filter ?? '', q.search ?? '', q.orderby ?? '', q.top ?? '']))
    .digest('base64url')
    .slice(0, 16);
}

function readSkipToken(q: QueryOptions, scope: string): number {
  if (q.skiptoken === undefined) return 0;
  const m = /^([0-9]{1,6})\.([A-Za-z0-9_-]{16})$/.exec(Buffer.from(q.skiptoken, 'base64url').toString('latin1'));
  if (!m || m[2] !== queryFingerprint(q, scope)) throw QueryErrors.invalidSkipToken();
  return Number(m[1]);
}

function skipToken(q: QueryOptions, scope: string, offset: number): string {
  return Buffer.from(`${offset}.${queryFingerprint(q, scope)}`, 'latin1').toString('base64url');
}

function wrapSyntax<T>(fn: () => T, kind: '$filter' | '$search' | '$orderby'): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof ODataSyntaxError) {
      const detail = `${e.detail} at position ${e.position}.`;
      if (kind === '$search') throw QueryErrors.invalidSearch(detail);
      if (kind === '$orderby') throw QueryErrors.sortingNotSupported();
      throw QueryErrors.invalidFilter(detail);
    }
    throw e;
  }
}

/** Everything a directory collection does with $filter/$search/$orderby/$top/$skiptoken/$count. */
function list<T extends { id: string }>(all: T[], s: ResourceSchema<T>, q: QueryOptions, scope: string): ListResult<T> {
  if (q.search !== undefined && !q.eventual) throw QueryErrors.searchNeedsHeader();
  const advanced = isAdvanced(q);
  const filter = q.filter === undefined ? null : wrapSyntax(() => parseFilter(q.filter as string), '$filter');
  if (filter) validateFilter(filter, s, advanced);
  const search = q.search === undefined ? null : wrapSyntax(() => parseSearch(q.search as string), '$search');
  if (search) validateSearch(search, s);
  let order: OrderBy[] = [];
  if (q.orderby !== undefined) {
    order = wrapSyntax(() => parseOrderBy(q.orderby as string), '$orderby');
    if (filter && !advanced) throw QueryErrors.sortingNotSupported();
    for (const o of order) {
      const spec = s.properties.get(o.property.toLowerCase());
      if (!spec) throw QueryErrors.unknownProperty(o.property, s.resource);
      if (!spec.orderBy || (spec.orderBy === 'advanced' && !advanced)) throw QueryErrors.sortingNotSupported();
    }
  }
  const size = pageSize(q);
  const offset = readSkipToken(q, scope);

  let items = all.filter((it) => (!filter || matchesFilter(filter, it, s)) && (!search || matchesSearch(search, it, s)));
  if (order.length > 0) {
    items = [...items].sort((a, b) => {
      for (const o of order) {
        const spec = property(s, o.property);
        const c = collator.compare(String(spec.get(a) ?? ''), String(spec.get(b) ?? ''));
        if (c !== 0) return o.descending ? -c : c;
      }
      return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
    });
  }
  const page = items.slice(offset, offset + size);
  return { items: page, count: items.length, nextSkip: offset + size < items.length ? offset + size : null };
}

function nextLink(base: string, path: string, q: QueryOptions, token: string): string {
  const parts: string[] = [];
  for (const [k, v] of q.raw) if (k !== '$skiptoken') parts.push(`${k}=${encodeURIComponent(v)}`);
  parts.push(`$skiptoken=${token}`);
  return `${base}${path}?${parts.join('&')}`;
}

// ---------------------------------------------------------------------------------------------------------
// Shaping users.

function graphBase(ctx: EmulatorContext, req: FastifyRequest): string {
  return req.url.startsWith('/beta') ? ctx.urls.graphBeta : ctx.urls.graph;
}

const isBeta = (req: FastifyRequest) => req.url.startsWith('/beta');

function projectUser(u: UserRecord, props: PropertySpec<UserRecord>[], access: Access): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const p of props) {
    // Outside the granted scope a field is left out, not nulled.
    if (access === 'basic' && !BASIC_USER_PROPERTIES.has(p.name)) continue;
    out[p.name] = p.get(u);
  }
  return out;
}

function userProperties(req: FastifyRequest, q: QueryOptions): { props: PropertySpec<UserRecord>[]; explicit: boolean } {
  const sel = selected(USER, q);
  if (sel) return { props: sel, explicit: true };
  // v1.0 answers with the default set; beta with every property it has.
  if (isBeta(req)) return { props: [...USER.properties.values()], explicit: false };
  return { props: DEFAULT_USER_PROPERTIES.map((n) => property(USER, n)), explicit: false };
}

function contextFor(base: string, entitySet: string, props: PropertySpec<unknown>[] | null, entity: boolean): string {
  const sel = props ? `(${props.map((p) => p.name).join(',')})` : '';
  return `${base}/$metadata#${entitySet}${sel}${entity ? '/$entity' : ''}`;
}

function findTarget(ctx: EmulatorContext, key: string): UserRecord {
  const user = ctx.state.findUser(key);
  if (!user) throw notFound(key);
  return user;
}

async function getUser(ctx: EmulatorContext, req: FastifyRequest, caller: Caller, target: UserRecord) {
  const access = accessTo(caller, target);
  if (!access) throw authorizationDenied();
  const q = readQuery(req);
  const { props, explicit } = userProperties(req, q);
  return {
    '@odata.context': contextFor(graphBase(ctx, req), 'users', explicit ? (props as PropertySpec<unknown>[]) : null, true),
    ...projectUser(target, props, access),
  };
}

// ---------------------------------------------------------------------------------------------------------
// Memberships: groups and active directory roles.

function groupObject(g: { id: string; displayName: string; isAssignableToRole: boolean }) {
  return {
    '@odata.type': '#microsoft.graph.group',
    id: g.id,
    deletedDateTime: null,
    displayName: g.displayName,
    isAssignableToRole: g.isAssignableToRole,
    mailEnabled: false,
    securityEnabled: true,
    groupTypes: [] as string[],
  };
}

type Membership = ReturnType<typeof groupObject> | DirectoryRole;

function memberships(ctx: EmulatorContext, user: UserRecord, transitive: boolean): Membership[] {
  const groups = ctx.state.groupsOf(user).map(groupObject);
  const roleIds = transitive ? ctx.state.rolesOf(user) : user.roles;
  return [...groups, ...roleIds.map((r) => directoryRole(ctx, r))];
}

/** A mixed collection: $select may name a property of either type; an object without it leaves it out. */
const field = (name: string) => (m: Membership) => (m as unknown as Record<string, unknown>)[name];
const MEMBER = schema<Membership>('DirectoryObject', [
  { name: 'id', type: 'string', get: (m) => m.id, filter: { eq: D } },
  { name: 'displayName', type: 'string', get: (m) => m.displayName, filter: { eq: D, startsWith: D }, search: 'tokenized', orderBy: A },
  { name: 'deletedDateTime', type: 'dateTime', get: field('deletedDateTime') },
  { name: 'description', type: 'string', get: field('description') },
  { name: 'roleTemplateId', type: 'string', get: field('roleTemplateId'), filter: { eq: D } },
  { name: 'isAssignableToRole', type: 'boolean', get: field('isAssignableToRole') },
  { name: 'mailEnabled', type: 'boolean', get: field('mailEnabled') },
  { name: 'securityEnabled', type: 'boolean', get: field('securityEnabled') },
  { name: 'groupTypes', type: 'strings', get: field('groupTypes') },
]);

function sendCollection<T extends { id: string }>(
  ctx: EmulatorContext,
  req: FastifyRequest,
  items: T[],
  s: ResourceSchema<T>,
  q: QueryOptions,
  path: string,
  entitySet: string,
  shape: (item: T, props: PropertySpec<T>[] | null) => Record<string, unknown>,
) {
  const base = graphBase(ctx, req);
  const props = selected(s, q);
  const r = list(items, s, q, `${path}`);
  const first = q.skiptoken === undefined;
  return {
    '@odata.context': contextFor(base, entitySet, props as PropertySpec<unknown>[] | null, false),
    ...(isAdvanced(q) && first ? { '@odata.count': r.count } : {}),
    ...(r.nextSkip !== null ? { '@odata.nextLink': nextLink(base, path, q, skipToken(q, path, r.nextSkip)) } : {}),
    value: r.items.map((it) => shape(it, props)),
  };
}

function shapeGeneric<T>(item: T & Record<string, unknown>, props: PropertySpec<T>[] | null): Record<string, unknown> {
  if (!props) return item;
  const out: Record<string, unknown> = { '@odata.type': item['@odata.type'] };
  for (const p of props) out[p.name] = p.get(item);
  return out;
}

async function rolesOf(ctx: EmulatorContext, req: FastifyRequest, caller: Caller, target: UserRecord) {
  if (caller.user.id === target.id ? !hasAnyScope(caller, [...USER_READ_SELF, ...MEMBERSHIP_READ_OTHERS]) : !hasAnyScope(caller, MEMBERSHIP_READ_OTHERS)) {
    throw authorizationDenied();
  }
  const q = readQuery(req);
  const path = req.url.split('?')[0]?.replace(/^\/(v1\.0|beta)/, '') ?? '';
  // The OData cast needs the advanced query parameters (user-list-transitivememberof.md). Without them the
  // service has been seen to ignore the cast and list every membership (microsoft-graph-docs#17604), so a
  // client that reads only `@odata.type == directoryRole` entries stays correct either way.
  if (isAdvanced(q)) {
    const roles = ctx.state.rolesOf(target).map((r) => directoryRole(ctx, r));
    return sendCollection(ctx, req, roles, ROLE, q, path, 'directoryRoles', (r, p) =>
      shapeGeneric(asSeenBy(caller, r) as DirectoryRole & Record<string, unknown>, p),
    );
  }
  return sendCollection(ctx, req, memberships(ctx, target, true), MEMBER, q, path, 'directoryObjects', (m, p) =>
    shapeGeneric(asSeenBy(caller, m) as Membership & Record<string, unknown>, p),
  );
}

async function membersOf(ctx: EmulatorContext, req: FastifyRequest, caller: Caller, target: UserRecord, transitive: boolean) {
  if (caller.user.id === target.id ? !hasAnyScope(caller, [...USER_READ_SELF, ...MEMBERSHIP_READ_OTHERS]) : !hasAnyScope(caller, MEMBERSHIP_READ_OTHERS)) {
    throw authorizationDenied();
  }
  const q = readQuery(req);
  const path = req.url.split('?')[0]?.replace(/^\/(v1\.0|beta)/, '') ?? '';
  return sendCollection(ctx, req, memberships(ctx, target, transitive), MEMBER, q, path, 'directoryObjects', (m, p) =>
    shapeGeneric(asSeenBy(caller, m) as Membership & Record<string, unknown>, p),
  );
}

// ---------------------------------------------------------------------------------------------------------
// Photos (profilephoto-get.md).

/** The HD sizes Graph serves. */
export const PHOTO_SIZES = [48, 64, 96, 120, 240, 360, 432, 504, 648];

function imageSize(bytes: Buffer): { width: number; height: number } | null {
  if (bytes.length >= 24 && bytes.readUInt32BE(0) === 0x89504e47) return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
  if (bytes.length >= 4 && bytes[0] === 0xff && bytes[1] === 0xd8) {
    let i = 2;
    while (i + 9 < bytes.length) {
      if (bytes[i] !== 0xff) return null;
      const marker = bytes[i + 1] ?? 0;
      const len = bytes.readUInt16BE(i + 2);
      if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
        return { height: bytes.readUInt16BE(i + 5), width: bytes.readUInt16BE(i + 7) };
      }
      i += 2 + len;
    }
  }
  return null;
}

function photoSizeParam(size: string): number {
  const m = /^(\d{2,3})x(\d{2,3})$/.exec(size);
  if (!m || m[1] !== m[2] || !PHOTO_SIZES.includes(Number(m[1]))) throw QueryErrors.imageNotFound();
  return Number(m[1]);
}

function requirePhotoAccess(caller: Caller, target: UserRecord): void {
  const self = caller.user.id === target.id && hasAnyScope(caller, USER_READ_SELF);
  if (!self && !hasAnyScope(caller, [...USER_READ_ALL, ...USER_READ_BASIC])) throw authorizationDenied();
}

function photoOf(ctx: EmulatorContext, target: UserRecord) {
  const photo = ctx.state.photos.get(target.id);
  if (!photo) throw QueryErrors.imageNotFound();
  return photo;
}

function sendPhoto(ctx: EmulatorContext, reply: FastifyReply, caller: Caller, target: UserRecord, size?: string) {
  requirePhotoAccess(caller, target);
  if (size !== undefined) photoSizeParam(size);
  const photo = photoOf(ctx, target);
  return reply.header('Content-Type', photo.contentType).header('Content-Length', String(photo.bytes.length)).send(photo.bytes);
}

function photoMetadata(ctx: EmulatorContext, req: FastifyRequest, caller: Caller, target: UserRecord, size?: string) {
  requirePhotoAccess(caller, target);
  const base = graphBase(ctx, req);
  const photo = ctx.state.photos.get(target.id);
  const context = `${base}/$metadata#users('${target.id}')/${size ? `photos('${size}')` : 'photo'}/$entity`;
  if (!photo) {
    if (size !== undefined) throw QueryErrors.imageNotFound();
    // The documented answer for a user who never uploaded a photo (profilephoto-get.md, reference 5.3).
    return { '@odata.context': context, '@odata.mediaContentType': 'image/gif', '@odata.mediaEtag': '"00000000"', id: '1X1', width: 1, height: 1 };
  }
  const etag = createHash('sha256').update(photo.bytes).digest('hex').slice(0, 8).toUpperCase();
  const dims = size !== undefined ? { width: photoSizeParam(size), height: photoSizeParam(size) } : (imageSize(photo.bytes) ?? { width: 48, height: 48 });
  return {
    '@odata.context': context,
    '@odata.mediaContentType': photo.contentType,
    '@odata.mediaEtag': `"${etag}"`,
    id: `${dims.width}x${dims.height}`,
    width: dims.width,
    height: dims.height,
  };
}

// ---------------------------------------------------------------------------------------------------------
// Routes.

type IdParams = { Params: { id: string } };
type SizeParams = { Params: { id: string; size: string } };

export function registerUsers(app: FastifyInstance, ctx: EmulatorContext): void {
  const me = async (req: FastifyRequest) => {
    const caller = await authenticate(req, ctx);
    return { caller, target: caller.user };
  };
  const them = async (req: FastifyRequest<IdParams>) => {
    const caller = await authenticate(req, ctx);
    return { caller, target: findTargetAfterScope(caller, req.params.id) };
  };
  // The scope check comes before the lookup: without one, Graph does not reveal whether a user exists.
  const findTargetAfterScope = (caller: Caller, key: string) => {
    const anyRead = hasAnyScope(caller, [...USER_READ_ALL, ...USER_READ_BASIC, ...MEMBERSHIP_READ_OTHERS]);
    const target = ctx.state.findUser(key);
    if (!anyRead && !(target && target.id === caller.user.id && hasAnyScope(caller, USER_READ_SELF))) throw authorizationDenied();
    return target ?? findTarget(ctx, key);
  };

  app.get('/me', async (req) => {
    const { caller, target } = await me(req);
    return getUser(ctx, req, caller, target);
  });

  app.get('/users', async (req) => {
    const caller = await authenticate(req, ctx);
    requireListAccess(caller);
    const q = readQuery(req);
    const { props, explicit } = userProperties(req, q);
    const base = graphBase(ctx, req);
    const r = list([...ctx.state.users.values()], USER, q, '/users');
    return {
      '@odata.context': contextFor(base, 'users', explicit ? (props as PropertySpec<unknown>[]) : null, false),
      ...(isAdvanced(q) && q.skiptoken === undefined ? { '@odata.count': r.count } : {}),
      ...(r.nextSkip !== null ? { '@odata.nextLink': nextLink(base, '/users', q, skipToken(q, '/users', r.nextSkip)) } : {}),
      value: r.items.map((u) => projectUser(u, props, accessTo(caller, u) ?? 'basic')),
    };
  });

  app.get('/users/$count', async (req, reply) => {
    const caller = await authenticate(req, ctx);
    requireListAccess(caller);
    const q = readQuery(req);
    if (!q.eventual) throw QueryErrors.countNotSupported();
    const r = list([...ctx.state.users.values()], USER, { ...q, count: true, top: '999', skiptoken: undefined }, '/users/$count');
    return reply.header('Content-Type', 'text/plain; charset=utf-8').send(String(r.count));
  });

  app.get<IdParams>('/users/:id', async (req) => {
    const { caller, target } = await them(req);
    return getUser(ctx, req, caller, target);
  });

  app.get('/me/transitiveMemberOf/microsoft.graph.directoryRole', async (req) => {
    const { caller, target } = await me(req);
    return rolesOf(ctx, req, caller, target);
  });
  app.get<IdParams>('/users/:id/transitiveMemberOf/microsoft.graph.directoryRole', async (req) => {
    const { caller, target } = await them(req);
    return rolesOf(ctx, req, caller, target);
  });
  app.get('/me/memberOf', async (req) => {
    const { caller, target } = await me(req);
    return membersOf(ctx, req, caller, target, false);
  });
  app.get<IdParams>('/users/:id/memberOf', async (req) => {
    const { caller, target } = await them(req);
    return membersOf(ctx, req, caller, target, false);
  });
  app.get('/me/transitiveMemberOf', async (req) => {
    const { caller, target } = await me(req);
    return membersOf(ctx, req, caller, target, true);
  });
  app.get<IdParams>('/users/:id/transitiveMemberOf', async (req) => {
    const { caller, target } = await them(req);
    return membersOf(ctx, req, caller, target, true);
  });

  // group-list-members.md: the members of a group as directoryObjects (users here), paged 100 by default with
  // @odata.nextLink; least privileged read permission GroupMember.Read.All.
  app.get<IdParams>('/groups/:id/members', async (req) => {
    const caller = await authenticate(req, ctx);
    if (!hasAnyScope(caller, GROUP_MEMBER_READ)) throw authorizationDenied();
    const group = ctx.state.groups.get(req.params.id.toLowerCase());
    if (!group) throw notFound(req.params.id);
    const q = readQuery(req);
    const { props, explicit } = userProperties(req, q);
    const base = graphBase(ctx, req);
    const path = `/groups/${group.id}/members`;
    const r = list(ctx.state.membersOf(group.id), USER, q, path);
    return {
      '@odata.context': contextFor(base, 'directoryObjects', explicit ? (props as PropertySpec<unknown>[]) : null, false),
      ...(isAdvanced(q) && q.skiptoken === undefined ? { '@odata.count': r.count } : {}),
      ...(r.nextSkip !== null ? { '@odata.nextLink': nextLink(base, path, q, skipToken(q, path, r.nextSkip)) } : {}),
      value: r.items.map((u) => ({ '@odata.type': '#microsoft.graph.user', ...projectUser(u, props, accessTo(caller, u) ?? 'basic') })),
    };
  });

  app.get('/me/photo/$value', async (req, reply) => {
    const { caller, target } = await me(req);
    return sendPhoto(ctx, reply, caller, target);
  });
  app.get<IdParams>('/users/:id/photo/$value', async (req, reply) => {
    const { caller, target } = await them(req);
    return sendPhoto(ctx, reply, caller, target);
  });
  for (const seg of ['photo', 'photos']) {
    app.get<{ Params: { size: string } }>(`/me/${seg}/:size/$value`, async (req, reply) => {
      const { caller, target } = await me(req);
      return sendPhoto(ctx, reply, caller, target, req.params.size);
    });
    app.get<SizeParams>(`/users/:id/${seg}/:size/$value`, async (req, reply) => {
      const { caller, target } = await them(req);
      return sendPhoto(ctx, reply, caller, target, req.params.size);
    });
  }
  app.get('/me/photo', async (req) => {
    const { caller, target } = await me(req);
    return photoMetadata(ctx, req, caller, target);
  });
  app.get<IdParams>('/users/:id/photo', async (req) => {
    const { caller, target } = await them(req);
    return photoMetadata(ctx, req, caller, target);
  });
  app.get<SizeParams>('/users/:id/photos/:size', async (req) => {
    const { caller, target } = await them(req);
    return photoMetadata(ctx, req, caller, target, req.params.size);
  });
}
