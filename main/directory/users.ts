// The people: the operator's search (search.ts plans the query), a person's identity card (their details, photo,
// security keys and pass, read in parallel), and, for event mode (main/event/), the members of a group and
// adding or removing one.
import { z } from 'zod';
import { ACCESS_NEEDS } from './access';
import { headerValue } from './errors';
import type { MethodCalls } from './methods';
import { GraphCardUser, GraphUserList, type GraphUser } from './schemas';
import { type SearchOptions, planUserSearch } from './search';
import { groupKey, nn, userKey, type Transport } from './transport';
import type { IdentityCard, QueryKind, UserSummary } from '../../common/directory';

export interface UserCalls {
  searchUsers(input: string, signal?: AbortSignal): Promise<{ kind: QueryKind; users: UserSummary[] }>;
  identityCard(userId: string, signal?: AbortSignal): Promise<IdentityCard>;
  // Event mode (main/event/): the roster and claim groups.
  /** Every member of the group (users), all pages (`@odata.nextLink`) read. */
  groupMembers(groupId: string, signal?: AbortSignal): Promise<UserSummary[]>;
  /** Adds the user to the group. A member already there is Graph's 400 (`code` Request_BadRequest): a DirectoryError. */
  addGroupMember(groupId: string, userId: string, signal?: AbortSignal): Promise<{ requestId: string | null }>;
  /** Resolves when the user is no longer a member, including when they already were not (404). */
  removeGroupMember(groupId: string, userId: string, signal?: AbortSignal): Promise<{ requestId: string | null }>;
}

export interface UserCallOptions {
  search?: SearchOptions | undefined;
  /** Largest photo accepted, in bytes. */
  photoMaxBytes: number;
  /** The photo gives up after this long and the card shows initials. */
  photoTimeoutMs: number;
  /** Epoch ms now (how old a search's row is). Default `Date.now`. */
  now?: () => number;
}

/** A person the search returned this long ago is still the card's details (below `identityCard`). */
export const SEARCH_ROW_REUSE_MS = 30_000;

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
const PHOTO_TYPES = /^image\/(jpeg|png|gif|webp|bmp)$/i;
type CardUser = z.infer<typeof GraphCardUser>;
const GraphMemberPage = GraphUserList.extend({ '@odata.nextLink': z.string().optional() });

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

/** An external guest: a B2B `#EXT#` user name, or an invited account (creationType Invitation, or an externalUserState). */
export function isExternalGuest(u: Pick<GraphUser, 'userPrincipalName' | 'creationType' | 'externalUserState'>): boolean {
  return /#EXT#/i.test(u.userPrincipalName) || u.creationType === 'Invitation' || nn(u.externalUserState) !== null;
}

const collator = new Intl.Collator(undefined, { sensitivity: 'base', numeric: true });

/** The user calls over `transport`; the card reads the person's keys and pass through `methods`. */
export function createUserCalls(transport: Transport, methods: Pick<MethodCalls, 'listSecurityKeys' | 'listTaps'>, options: UserCallOptions): UserCalls {
  const { send, getJson } = transport;
  const { photoMaxBytes, photoTimeoutMs } = options;
  const now = options.now ?? Date.now;
  /** The last plain search's people, with every field of the card, and when it answered. */
  let lastFound: { at: number; users: Map<string, CardUser> } | null = null;
  /** The row of a person a plain search returned moments ago, once (a second card reads Graph again). */
  const takeFound = (userId: string): CardUser | null => {
    if (!lastFound || now() - lastFound.at > SEARCH_ROW_REUSE_MS) return null;
    const user = lastFound.users.get(userId.toLowerCase()) ?? null;
    lastFound.users.delete(userId.toLowerCase());
    return user;
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

  return {
    async searchUsers(input, signal) {
      const operation = 'search for a person';
      const plan = planUserSearch(input, options.search);
      // The card's fields, not only the list's: the person picked next needs no second read of the same user.
      const query: Record<string, string> = { $select: CARD_FIELDS.join(','), $top: String(SEARCH_PAGE_SIZE) };
      if (plan.filter) query.$filter = plan.filter;
      if (plan.search) query.$search = plan.search;
      if (plan.advanced) query.$count = 'true';
      const headers = plan.advanced ? { ConsistencyLevel: 'eventual' } : undefined;
      const list = await getJson(GraphUserList, operation, '/users', { query, ...(headers ? { headers } : {}), signal, need: ACCESS_NEEDS.readUsers });
      // Kept for the card only from a plain query: an advanced one (ConsistencyLevel: eventual) reads an index that
      // may lag behind the directory (Microsoft Learn, "Advanced query capabilities on Microsoft Entra ID objects").
      lastFound = plan.advanced
        ? null
        : {
            at: now(),
            users: new Map(
              list.value.flatMap((u) => {
                const card = GraphCardUser.safeParse(u);
                return card.success ? [[u.id.toLowerCase(), card.data] as const] : [];
              }),
            ),
          };
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
      const found = takeFound(userId);
      const [user, photo, securityKeys, taps] = await Promise.all([
        found ?? getJson(GraphCardUser, operation, base, { query: { $select: CARD_FIELDS.join(',') }, signal, need: ACCESS_NEEDS.readUsers }),
        readPhoto(base, signal),
        methods.listSecurityKeys(userId, signal),
        methods.listTaps(userId, signal),
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
  };
}
