/**
 * "Set up the key here" journals its pre-flight as the TAP path does: a `preflight` go record when provisioning
 * starts, before anything is made on the key, once per start (not again when the person tries again at the PIN
 * pad). Read back from the journal files of a real station (EnrollmentSession, ProvisionPort over the software
 * authenticator, the emulator). When the journal breaks between pre-flight and that record, provisioning stops
 * there with the journal's code: nothing asked of the key, nothing of Microsoft.
 */
import { randomInt } from 'node:crypto';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
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
// Made at run time: eight digits, the wrong one differing in its last.
const PIN = `4${String(randomInt(1e6)).padStart(6, '0')}3`;
const WRONG = `${PIN.slice(0, 7)}4`;

const env = useEmulator();
let station: Station | null = null;
let restoreFs: (() => void) | null = null;
afterEach(async () => {
  restoreFs?.();
  restoreFs = null;
  if (!station) return;
  await stopStation(station);
  await station.journal.close();
  station = null;
});

let deskCore: Fido2Core | null = null;
async function deskWithPin() {
  const core = new Fido2Core({ pin: PIN });
  deskCore = core;
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

  describe('the journal breaks after pre-flight, before the record', () => {
    const errno = (code: string, syscall: string) => Object.assign(new Error(`${code}: injected, ${syscall}`), { code, syscall });
    // Every file write of the process goes through Node's FileHandle (tests run as root: chmod would not stop one).
    async function fileHandleProto(folder: string): Promise<Record<'write' | 'datasync', (...args: unknown[]) => Promise<unknown>>> {
      const probe = await open(join(folder, 'fault-probe'), 'w');
      const proto = Object.getPrototypeOf(probe) as Record<'write' | 'datasync', (...args: unknown[]) => Promise<unknown>>;
      await probe.close();
      return proto;
    }
    // After pre-flight, any request about the person's passkeys (creationOptions, the POST) is provisioning's.
    const provisioningCalls = () => env.emu.requestLog().filter((r) => /fido2Methods/.test(r.path));

    const cases = [
      {
        name: 'the disk fills up (every sync refused): journal.full',
        code: 'journal.full',
        // The line was written, not synced: whether it is on disk is the file system's matter, not provisioning's.
        recordOnDisk: null,
        breakIt: async (folder: string) => {
          const spy = vi.spyOn(await fileHandleProto(folder), 'datasync').mockRejectedValue(errno('ENOSPC', 'fdatasync'));
          return () => spy.mockRestore();
        },
      },
      {
        name: 'the record’s own write fails (EIO): a journal.* code',
        code: null,
        recordOnDisk: false,
        breakIt: async (folder: string) => {
          const proto = await fileHandleProto(folder);
          const real = proto.write;
          const spy = vi.spyOn(proto, 'write').mockImplementation(function (this: unknown, ...args: unknown[]) {
            if (Buffer.isBuffer(args[0]) && args[0].includes('"type":"preflight"')) return Promise.reject(errno('EIO', 'write'));
            return real.apply(this, args);
          });
          return () => spy.mockRestore();
        },
      },
    ] as const;

    for (const c of cases) {
      it(`${c.name}; provisioning stops before the key or Graph is asked anything`, async () => {
        const st = await deskWithPin();
        const pre = await st.toPreflight(MEGAN, MEGAN_ID);
        expect(pre.verdict).toBe('go');
        const commandsBefore = deskCore!.commands.length;
        const graphBefore = provisioningCalls().length;
        restoreFs = await c.breakIt(st.journal.folder);

        st.send({ type: 'chooseMode', mode: 'provision' });
        const stopped = (await phase(st, 'failed', 'enter-pin', 'set-pin')) as Provisioning;
        expect(stopped).toMatchObject({ screen: 'provisioning', phase: 'failed' });
        const code = stopped.error?.code ?? '';
        if (c.code) expect(code).toBe(c.code);
        else expect(code).toMatch(/^journal\./);
        // Nothing asked of the key (not even getInfo), nothing of Microsoft, nothing registered.
        expect(deskCore!.commands.length).toBe(commandsBefore);
        expect(provisioningCalls().length).toBe(graphBefore);
        expect(env.emu.ctx.state.fido2Of(MEGAN_ID)).toEqual([]);
        restoreFs();
        restoreFs = null;
        // Nothing made is journalled; the pre-flight record is not on disk where its write failed.
        expect(st.journal.events().map((e) => e.type)).not.toContain('key.provisioned');
        if (c.recordOnDisk === false) expect(preflights(st.journal.events())).toEqual([]);
      });
    }
  });
});
