// What a caller sees of a directory role it has no scope to read. Microsoft documents that a directoryObject
// collection (memberOf, transitiveMemberOf) still lists objects of a type the app may not read, "but with limited
// information ... only the @odata.type property for the object type and the id is returned, while other properties
// are indicated as null" (Microsoft Graph, "Limited information returned for inaccessible member objects",
// learn.microsoft.com/graph/permissions-overview). Issue 10 (3m) reports a directory role's displayName as null
// under low scopes. The emulator reproduces the reported part: with none of the scopes below, a directoryRole's
// displayName and description are null. It keeps roleTemplateId [ASSUMPTION: not confirmed from a source; the
// kiosk falls back to the token's `wids` should it be null too].
import { hasAnyScope, type Caller } from './auth';

/** Delegated scopes that read directory roles (directoryrole-list.md, permissions reference). */
export const ROLE_READ_SCOPES = [
  'RoleManagement.Read.Directory',
  'RoleManagement.Read.All',
  'RoleManagement.ReadWrite.Directory',
  'Directory.Read.All',
  'Directory.ReadWrite.All',
  'Directory.AccessAsUser.All',
];

export function asSeenBy<T extends { '@odata.type': string }>(caller: Caller, item: T): T {
  if (item['@odata.type'] !== '#microsoft.graph.directoryRole' || hasAnyScope(caller, ROLE_READ_SCOPES)) return item;
  return { ...item, displayName: null, description: null };
}
