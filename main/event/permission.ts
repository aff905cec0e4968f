// Whether event mode may run: configured, and the operator's token carries the permission to manage the claim
// group's members. GroupMember.ReadWrite.All is the least privileged delegated permission for adding and removing
// group members (Microsoft Learn, group-post-members and group-delete-members, "Permissions"); the signed-in
// operator must in addition own the claim group (or hold Groups Administrator / User Administrator / Directory
// Writers), which Graph checks on the first claim ('event.off-not-group-owner').
import type { EventConfig } from '../config';
import type { EventNotice } from '../../common/event-codes';

export const EVENT_PERMISSION = 'GroupMember.ReadWrite.All';
/** Higher permissions that include it (Graph accepts them too). */
const INCLUDING = ['Group.ReadWrite.All', 'Directory.ReadWrite.All'];

/** `scopes`: the `scp` of the operator's access token, split on spaces. */
export function eventModeAvailability(config: EventConfig | undefined, scopes: readonly string[]): { on: true } | { on: false; notice: EventNotice } {
  if (!config) return { on: false, notice: { code: 'event.off-not-configured', params: {} } };
  const granted = new Set(scopes.map((s) => s.toLowerCase()));
  if (![EVENT_PERMISSION, ...INCLUDING].some((p) => granted.has(p.toLowerCase())))
    return { on: false, notice: { code: 'event.off-no-permission', params: {} } };
  return { on: true };
}
