/**
 * "Set up the key here" journals its pre-flight as the TAP path does: a `preflight` go record when provisioning
 * starts, before anything is made on the key, once per start (not again when the person tries again at the PIN
 * pad). Read back from the journal files of a real station (EnrollmentSession, ProvisionPort over the software
 * authenticator, the emulator).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { SessionSnapshot } from '../../common/session';
import type { AuditEvent } from '../../main/audit';
import { useEmulator } from '../support/emulator';
import { upn } from '../directory/support';
import { Fido2Core } from '../authenticator/fido2-core';
import { SoftAuthenticator } from '../authenticator/soft-authenticator';
import { fido2Info, identified, keysOne } from '../enrollment/support/fixtures';
import { openStation, stopStation, type Station } from '../enrollment/support/station';

type Provisioning = Extract<SessionSnapshot, { screen: 'provisioning' }>;

const MEGAN = upn('megan.bowen');
const MEGAN_ID = '00000000-0000-4000-8000-000000000010';
const PIN = '40718253';
const WRONG = '40718254';

const env = useEmulator();
let station: Station | null = null;
afterEach(async () => {
  if (!station) return;
  await stopStation(station);
  await station.journal.close();
  station = null;
});

async function deskWithPin() {
  const core = new Fido2Core({ pin: PIN });
  station = await openStation(env.emu, {
    operator: upn('alex.wilber'),
    keys: keysOne(identified(fido2Info({ rk: true, up: true, clientPin: true }, core.profile.aaguid ?? ''), 'TOKEN2 FIDO2 Security Key')),
    deskKey: { open: async () => new SoftAuthenticator({ core, capabilities: core.profile.capabilities }) },
  });
  return station;
}

const phase = (st: Station, ...phases: Provisioning['phase'][]) =>
  st.waitFor((s) => s.screen !== 'provisioning' || phases.includes(s.phase)) as Promise<SessionSnapshot>;
const preflights = (events: AuditEvent[]) => events.filter((e) => e.type === 'preflight');

describe('provisioning journals its pre-flight', () => {
  it('a go record for provisioning when it starts, before the key is touched; once, even after a wrong PIN', async () => {
    const st = await deskWithPin();
    await st.toPreflight(MEGAN, MEGAN_ID);
    expect(preflights(st.journal.events())).toEqual([]);
    st.send({ type: 'chooseMode', mode: 'provision' });
    await phase(st, 'enter-pin');
    // On disk now: the go, for provisioning, for this person and enrollment; no pass parameters (there is no pass).
    const [record, ...more] = preflights(st.journal.events());
    expect(more).toEqual([]);
    expect(record).toEqual({
      type: 'preflight',
      enrollmentId: expect.any(String),
      user: { id: MEGAN_ID, upn: MEGAN },
      verdict: 'go',
      failedChecks: [],
      mode: 'provision',
    });
    const identity = st.journal.events().find((e) => e.type === 'identity.checked');
    expect(record).toMatchObject({ enrollmentId: identity && 'enrollmentId' in identity ? identity.enrollmentId : 'none' });

    // A wrong PIN: the key is read again for the pad, the pre-flight is not journalled again.
    st.send({ type: 'submitPin', pin: WRONG });
    expect(await phase(st, 'enter-pin', 'failed')).toMatchObject({ phase: 'enter-pin', error: { code: 'key.wrong-pin' } });
    st.send({ type: 'submitPin', pin: PIN });
    expect(await st.until('done', 'failed')).toMatchObject({ screen: 'done', proven: true });

    const types = st.journal.events().map((e) => e.type);
    expect(types.filter((t) => t === 'preflight')).toHaveLength(1);
    // Pre-flight first, then what was made on the key.
    expect(types.indexOf('preflight')).toBeLessThan(types.indexOf('key.provisioned'));
    expect(types.indexOf('identity.checked')).toBeLessThan(types.indexOf('preflight'));
  });
});
