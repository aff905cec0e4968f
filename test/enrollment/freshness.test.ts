// Issue 10, 3f and 3g against the emulator with the real session: the guide's countdown shows whichever window
// binds first (the one-time pass's 10 minutes or the five minutes Microsoft allows after a sign-in) and says what to
// do when the five minutes are over; Microsoft's registration interrupt after the sign-in is told to the person and
// the operator. The person at the desk is played over HTTP, the view's URLs are the real hops.
import { afterEach, describe, expect, it } from 'vitest';
import { FRESH_SIGN_IN_MS, type SessionSnapshot } from '../../common/session';
import { FRESH_SIGN_IN_MARGIN_MS } from '../../main/enrollment/freshness';
import { useEmulator } from '../support/emulator';
import { upn } from '../directory/support';
import { DeskUser, MSI_SECURITY_INFO, openStation, stopStation, type Station } from './support/station';

const ADELE = upn('adele.vance');

const env = useEmulator({ tapPolicy: 'kiosk', leakScan: true });
let station: Station | null = null;

afterEach(async () => {
  if (!station) return;
  const s = station;
  station = null;
  await stopStation(s);
  expect(env.newTaps()).toEqual([]);
  await s.journal.close();
});

type Registering = Extract<SessionSnapshot, { screen: 'registering' }>;
const kinds = (s: Registering) => s.countdowns.map((c) => c.kind);
const fresh = (s: Registering) => s.countdowns.find((c) => c.kind === 'fresh-sign-in');

async function signedIn(options: { multiUse?: boolean } = {}) {
  if (options.multiUse) env.emu.ctx.state.tapPolicy.isUsableOnce = false;
  station = await openStation(env.emu, options.multiUse ? { tapOneTime: false } : {});
  const st = station;
  const handover = await st.toHandover(ADELE);
  st.send({ type: 'handedOver' });
  await st.until('waiting-for-sign-in');
  const user = new DeskUser(env.emu, st.view, ADELE);
  await user.signIn(handover.pass);
  const signedInAt = st.time.now();
  const registering = (await st.until('registering')) as Registering;
  return { st, user, pass: handover.pass, registering, signedInAt };
}

describe('fresh sign-in for registering a key (five minutes, Microsoft Learn)', () => {
  it('a one-time pass: the five minutes bind before the 10-minute window; when they end, stop and issue a new pass', async () => {
    const { registering, signedInAt } = await signedIn();
    expect(kinds(registering)).toEqual(['registration-window', 'fresh-sign-in']);
    const window = registering.countdowns[0]!.endsAt;
    expect(fresh(registering)!.endsAt).toBe(signedInAt + FRESH_SIGN_IN_MS - FRESH_SIGN_IN_MARGIN_MS);
    expect(fresh(registering)!.endsAt).toBeLessThan(window);
    // A one-time pass is spent at sign-in: it cannot sign in again.
    expect(registering.whenFreshEnds).toBe('fresh.new-pass');
    expect(registering.interrupt).toBeNull();
  });

  it('a multi-use pass: sign in again with the same pass; the new sign-in starts five new minutes', async () => {
    const { st, user, pass, registering } = await signedIn({ multiUse: true });
    expect(registering.whenFreshEnds).toBe('fresh.sign-in-again');
    const first = fresh(registering)!.endsAt;
    await st.time.advance(FRESH_SIGN_IN_MS);
    // Microsoft sends the person back to sign in (the registration page refused): the guide is at "sign in" again.
    st.view.navigate(`https://login.microsoftonline.com/${env.emu.tenantId}/oauth2/authorize`);
    await st.waitFor((s) => s.screen === 'registering' && s.guide === 'sign-in');
    // They sign in with the same pass.
    await user.signIn(pass);
    const again = st.time.now();
    const after = (await st.waitFor((s) => s.screen === 'registering' && (fresh(s)?.endsAt ?? 0) > first)) as Registering;
    expect(fresh(after)!.endsAt).toBe(again + FRESH_SIGN_IN_MS - FRESH_SIGN_IN_MARGIN_MS);
    expect(after.screen).toBe('registering');
  });
});

describe('registration interrupt after the sign-in', () => {
  it('the view on mysignins.microsoft.com/register: signed in, the guide says add the key there (or skip), for person and operator', async () => {
    station = await openStation(env.emu);
    const st = station;
    const handover = await st.toHandover(ADELE);
    st.send({ type: 'handedOver' });
    await st.until('waiting-for-sign-in');
    // The pass accepted on login.microsoftonline.com, then Microsoft's wizard instead of Security info.
    st.view.navigate(`https://login.microsoftonline.com/${env.emu.tenantId}/login`);
    st.view.navigate('https://mysignins.microsoft.com/register?csrf_token=abc');
    const on = (await st.waitFor((s) => s.screen === 'registering' && s.interrupt !== null)) as Registering;
    expect(on.interrupt).toBe('interrupt.registration');
    expect(on.guide).toBe('add-key');
    expect(JSON.stringify(on)).not.toContain(handover.pass);
    // "Security key" on the interrupt: the usual steps; the notice goes.
    st.view.navigate(`${MSI_SECURITY_INFO}/add/security-key`);
    const off = (await st.waitFor((s) => s.screen === 'registering' && s.interrupt === null)) as Registering;
    expect(off.guide).toBe('add-key');
    st.send({ type: 'cancel' });
    await st.until('cancelled', 'ready');
  });
});
