// A tenant for event mode: the seeded tenant plus a roster group of new hires and an empty claim group, both
// owned by the given operators (owners may manage members: group-post-members.md), and the kiosk app registration
// consented for GroupMember.ReadWrite.All.
import { type Seed, SeedGroup, SeedUser } from '../model';
import { loadSeed } from '../store';

export const EVENT_ROSTER_GROUP = 'e7e70000-0001-4a00-8000-000000000001';
export const EVENT_CLAIM_GROUP = 'e7e70000-0002-4a00-8000-000000000002';

/** The id of new hire number `n` (0-based): 00000000-0000-4e00-8000-<n as 12 digits>. */
export const newHireId = (n: number) => `00000000-0000-4e00-8000-${String(n).padStart(12, '0')}`;

export function eventSeed(options: { rosterSize: number; owners: readonly string[]; base?: Seed }): Seed {
  const base = options.base ?? loadSeed();
  const ownerIds = options.owners.map((upn) => {
    const u = base.users.find((x) => x.userPrincipalName.toLowerCase() === upn.toLowerCase() || x.id === upn);
    if (!u) throw new Error(`no seeded user ${upn}`);
    return u.id;
  });
  const groups = [
    SeedGroup.parse({ id: EVENT_ROSTER_GROUP, displayName: 'Onboarding roster', owners: ownerIds }),
    SeedGroup.parse({ id: EVENT_CLAIM_GROUP, displayName: 'Onboarding claims', description: 'TAP Kiosk event claims', owners: ownerIds }),
  ];
  const hires = Array.from({ length: options.rosterSize }, (_, n) => {
    const given = `Hire${String(n + 1).padStart(3, '0')}`;
    return SeedUser.parse({
      id: newHireId(n),
      userPrincipalName: `${given.toLowerCase()}.new@${base.domain}`,
      displayName: `${given} Newcomer`,
      givenName: given,
      surname: 'Newcomer',
      mail: `${given.toLowerCase()}.new@${base.domain}`,
      department: 'Onboarding',
      employeeId: `N${String(n + 1).padStart(5, '0')}`,
      groups: [EVENT_ROSTER_GROUP],
    });
  });
  return {
    ...base,
    clients: base.clients.map((c) => ({ ...c, delegatedScopes: [...new Set([...c.delegatedScopes, 'GroupMember.ReadWrite.All'])] })),
    groups: [...base.groups, ...groups],
    users: [...base.users, ...hires],
  };
}
