// The user's queryable schema: which properties exist, which are in the default set, which need User.Read.All,
// and how each supports $filter / $search / $orderby (concepts/includes/filter-directory-objects.md).
// The engine that reads it is odata-schema.ts / odata-collection.ts; the scopes that grant
// the full or the basic set are in user-access.ts.
import type { UserRecord } from '../model';
import { A, D, schema } from './odata-schema';

const SEED_CREATED = '2024-01-15T08:00:00Z';

export const USER = schema<UserRecord>('User', [
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
