// The station machine's ports as fakes (machine.test.ts, event-claim.test.ts): one person (Adele) found, her card,
// readable policies, a pass issued at once, sign-in and registration never seen unless a test says so.
import type { SimulatedClock } from 'xstate';
import type { AuditEvent } from '../../../main/audit';
import type { DirectoryPort } from '../../../main/enrollment/ports';
import type { LifecyclePort } from '../../../main/enrollment/lifecycle';
import type { MachineDeps } from '../../../main/enrollment/machine';
import * as f from './fixtures';

export const PASS = 'Zq!7-pass-XY';

export function deps(clock: SimulatedClock, events: AuditEvent[]): MachineDeps {
  const user = f.card();
  const tap = {
    id: 'tap-1',
    createdDateTime: new Date(clock.now()).toISOString(),
    startDateTime: new Date(clock.now()).toISOString(),
    lifetimeInMinutes: 10,
    isUsableOnce: true,
    isUsable: true,
    methodUsabilityReason: 'EnabledByPolicy',
  };
  const directory = {
    searchUsers: async () => ({
      kind: 'display-name' as const,
      users: [
        {
          id: user.id,
          userPrincipalName: user.userPrincipalName,
          displayName: user.displayName,
          mail: null,
          department: null,
          jobTitle: null,
          employeeId: null,
        },
      ],
    }),
    identityCard: async () => user,
    tapPolicy: async () => f.tapPolicy(),
    fido2Policy: async () => f.fido2Policy(),
  } as unknown as DirectoryPort;
  const lifecycle: LifecyclePort = {
    issue: async () => ({ intentId: '33333333-3333-4333-8333-333333333333', tap, pass: PASS, requestId: null, notices: [] }),
    delete: async () => ({ deleted: true }),
    awaitSignIn: () => new Promise(() => undefined),
    awaitRegistration: () => new Promise(() => undefined),
    pendingDeletions: () => 0,
    drain: async () => 0,
  };
  return {
    operator: { signIn: async () => f.operator(), current: () => f.operator(), signOut: async () => undefined },
    directory,
    keys: { state: () => f.keysOne(), onChange: () => () => undefined, wink: async () => true },
    view: { open: async () => undefined, onNavigation: () => () => undefined, wipe: async () => undefined },
    audit: {
      append: async (e) => {
        events.push(e);
        return {} as never;
      },
    },
    lifecycle,
    clock,
    station: { tapOneTime: true, idleLockMinutes: 5, mySecurityInfoUrl: 'http://localhost/' },
    newId: () => '44444444-4444-4444-8444-444444444444',
  };
}
