import { describe, expect, it } from 'vitest';
import { WIPE_STEPS, WipeError, wipeSession, type WipeableSession } from '../../main/kiosk/wipe';

function fakeSession(failing: ReadonlySet<string> = new Set()) {
  const calls: string[] = [];
  const step = (name: string) => async () => {
    calls.push(name);
    if (failing.has(name)) throw new Error(`${name} broke`);
  };
  const session: WipeableSession = {
    clearStorageData: step('clearStorageData'),
    clearCache: step('clearCache'),
    clearAuthCache: step('clearAuthCache'),
    clearHostResolverCache: step('clearHostResolverCache'),
    closeAllConnections: step('closeAllConnections'),
  };
  return { session, calls };
}

describe('wiping a browser partition', () => {
  it('clears storage, cache, auth cache and host resolver cache after closing connections', async () => {
    const { session, calls } = fakeSession();
    expect(await wipeSession(session)).toEqual({ failed: [] });
    expect(calls).toEqual(['closeAllConnections', 'clearStorageData', 'clearCache', 'clearAuthCache', 'clearHostResolverCache']);
    expect(calls).toEqual([...WIPE_STEPS]);
  });

  it('runs every later step when one fails, and reports which', async () => {
    const { session, calls } = fakeSession(new Set(['clearStorageData']));
    const report = await wipeSession(session);
    expect(calls).toHaveLength(5);
    expect(report.failed).toEqual([{ step: 'clearStorageData', message: 'clearStorageData broke' }]);
    expect(new WipeError('My Security Info view', report).message).toContain('clearStorageData: clearStorageData broke');
  });
});
