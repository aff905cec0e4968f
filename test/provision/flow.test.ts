/**
 * Provisioning at the desk (main/provision/flow.ts) end to end in Node: the software authenticator
 * (test/authenticator/, written from the spec) over the real CTAPHID transport, the directory gateway's real
 * Graph client against the Entra emulator, and a real journal in a temp folder.
 */
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { encodePin } from '../../main/keys/ctap2/client-pin';
import { Ctap2Command } from '../../main/keys/ctap2/constants';
import { keyDisplayName, provisionKey, type ProvisionOutcome, type ProvisionRequest, type ProvisionStep } from '../../main/provision/flow';
import { startEmulator, type Emulator } from '../emulator';
import { gatewayFor, ALEX, ID } from '../directory/support';
import { openSoftKey, type SoftKey } from '../keys/ctap2/soft-fido2';
import { profile } from '../authenticator/profiles';
import { tempJournal, type TempJournal } from '../enrollment/support/journal';
import { describeHits, leakRoots, scanForPasses } from '../leaks/scan';

// Eight digits: long enough that no random bytes written meanwhile match one of its encoded forms by chance.
const PIN = '73914628';
const OTHER = '58203917';
const MEGAN = { id: ID.megan, upn: 'megan.bowen@tapkioskdemo.onmicrosoft.com' };
const OPERATOR = { id: ID.alex, upn: ALEX };
const suiteStart = Date.now();
const pinsUsed = new Set<string>();

let emu: Emulator;
let journal: TempJournal;
let key: SoftKey | undefined;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(async () => emu.close());
beforeEach(async () => {
  emu.reset();
  journal = await tempJournal();
});
afterEach(async () => {
  await key?.close();
  key = undefined;
  await journal.close();
});

const graph = () => gatewayFor(emu, { operator: ALEX });
const keysOf = (userId: string) => emu.ctx.state.fido2Of(userId);
const graphCalls = () => emu.requestLog().filter((r) => r.surface === 'graph' && /fido2Methods/.test(r.path));

interface Run {
  outcome: ProvisionOutcome;
  steps: ProvisionStep[];
  pin: Uint8Array;
}

async function run(pin: string, extra: Partial<ProvisionRequest> & { confirm?: string; now?: () => number } = {}): Promise<Run> {
  if (!key) throw new Error('no key');
  pinsUsed.add(pin);
  const info = await key.info();
  const steps: ProvisionStep[] = [];
  const pinBytes = encodePin(pin);
  const { confirm, now, onStep, ...rest } = extra;
  const outcome = await provisionKey(
    { graph: graph(), journal: journal.journal, ...(now ? { now } : {}) },
    {
      enrollmentId: crypto.randomUUID(),
      operator: OPERATOR,
      user: MEGAN,
      key: { session: key.session, info, model: 'TOKEN2 FIDO2 Security Key' },
      pin: pinBytes,
      ...(confirm === undefined ? {} : { pinConfirm: encodePin(confirm) }),
      onStep: (s) => {
        steps.push(s);
        onStep?.(s);
      },
      ...rest,
    },
  );
  return { outcome, steps, pin: pinBytes };
}

/** The person touches the key each time it asks; during the first wait Microsoft's clock passes 6 minutes. */
async function runOutlastingTheChallenge(now: (() => number) | undefined): Promise<Run> {
  key = await openSoftKey({ pin: PIN, touch: 'wait', touchTimeoutMs: 5_000 });
  let touches = 0;
  return run(PIN, {
    ...(now ? { now } : {}),
    onStep: (s) => {
      if (s !== 'touch') return;
      touches++;
      if (touches === 1) emu.advanceClock(6);
      setTimeout(() => key!.device.touch(), 10);
    },
  });
}

const provisioned = () => journal.events().filter((e) => e.type === 'key.provisioned');
const made = () => key!.core.commands.filter((c) => c === Ctap2Command.makeCredential).length;

describe('provisioning at the desk', () => {
  it('a new key: the person sets the PIN, the passkey is registered and proven; PIN, token and challenge nowhere', async () => {
    key = await openSoftKey();
    const r = await run(PIN, { confirm: PIN });
    expect(r.outcome).toMatchObject({ ok: true, pinSetHere: true, attempts: 1, model: 'TOKEN2 FIDO2 Security Key' });
    if (!r.outcome.ok) return;
    expect(r.steps).toEqual(['checking', 'setting-pin', 'options', 'verifying-pin', 'touch', 'registering', 'proving', 'done']);
    // At Microsoft (the emulator): one passkey with our display name, the key's AAGUID, for the RP it named.
    const [stored] = keysOf(ID.megan);
    expect(stored).toMatchObject({ id: r.outcome.methodId, aaGuid: r.outcome.aaguid, displayName: r.outcome.displayName });
    expect(r.outcome.displayName.length).toBeLessThanOrEqual(30);
    expect(key.core.state.credentials.some((c) => c.rpId === 'login.microsoft.com')).toBe(true);
    // The journal: AAGUID, model, the credential id's hash; never the PIN or the challenge.
    expect(provisioned()).toEqual([
      expect.objectContaining({ methodId: r.outcome.methodId, aaguid: r.outcome.aaguid, credIdSha256: r.outcome.credIdSha256, proven: true, pinSetHere: true }),
    ]);
    expect(journal.everything()).not.toContain(PIN);
    expect(journal.everything()).not.toMatch(/challenge/i);
    // The caller's buffer is overwritten; two Graph requests for the passkey (options, register).
    expect([...r.pin].every((b) => b === 0)).toBe(true);
    expect(graphCalls().map((c) => c.method)).toEqual(['GET', 'POST']);
  });

  it('a key with a PIN: the person enters it, one touch, no PIN set', async () => {
    key = await openSoftKey({ pin: PIN });
    const r = await run(PIN);
    expect(r.outcome).toMatchObject({ ok: true, pinSetHere: false });
    expect(r.steps.filter((s) => s === 'touch')).toHaveLength(1);
    expect(keysOf(ID.megan)).toHaveLength(1);
  });

  it('a PIN chosen too short, all the same, a sequence or typed differently twice is refused before the key sees it', async () => {
    key = await openSoftKey();
    const cases: [string, string, string][] = [
      ['123', '123', 'pin.too-short'],
      ['777777', '777777', 'pin.all-same'],
      ['234567', '234567', 'pin.sequence'],
      ['987654', '987654', 'pin.sequence'],
      [PIN, OTHER, 'pin.mismatch'],
    ];
    for (const [pin, confirm, code] of cases) {
      const r = await run(pin, { confirm });
      expect(r.outcome.ok ? null : r.outcome.error.code, pin).toBe(code);
    }
    expect(key.core.commands.filter((c) => c === Ctap2Command.clientPin)).toEqual([]);
    expect((await key.info()).options['clientPin']).toBe(false);
    // The policy's minimum beats the key's: 8 asked, 6 given.
    const short = await run('246813', { confirm: '246813', policyMinPinLength: 8 });
    expect(short.outcome).toMatchObject({ ok: false, error: { code: 'pin.too-short', params: { min: 8 } } });
  });

  it('wrong PIN: tries left shown, nothing registered; then the right PIN works', async () => {
    key = await openSoftKey({ pin: PIN });
    const wrong = await run(OTHER);
    expect(wrong.outcome).toMatchObject({ ok: false, error: { code: 'key.wrong-pin', params: { retries: 7 } } });
    expect(keysOf(ID.megan)).toEqual([]);
    expect(made()).toBe(0);
    const right = await run(PIN);
    expect(right.outcome.ok).toBe(true);
    expect(keysOf(ID.megan)).toHaveLength(1);
  });

  it('PIN blocked: the last wrong try says reset, and nothing is registered', async () => {
    key = await openSoftKey({ pin: PIN });
    key.core.state.pinRetries = 1;
    const r = await run(OTHER);
    expect(r.outcome).toMatchObject({ ok: false, error: { code: 'key.pin-blocked' } });
    const again = await run(PIN);
    expect(again.outcome).toMatchObject({ ok: false, error: { code: 'key.pin-blocked' } });
    expect(keysOf(ID.megan)).toEqual([]);
  });

  it('the key already holds this person’s passkey: excluded by the key, Graph untouched', async () => {
    key = await openSoftKey({ pin: PIN });
    expect((await run(PIN)).outcome.ok).toBe(true);
    const second = await run(PIN);
    expect(second.outcome).toMatchObject({ ok: false, error: { code: 'key.already-registered' } });
    expect(keysOf(ID.megan)).toHaveLength(1);
    expect(graphCalls().filter((c) => c.method === 'POST')).toHaveLength(1);
  });

  it('the challenge runs out while the key waits for the touch (station clock): new options, one more touch, registered', async () => {
    const r = await runOutlastingTheChallenge(() => emu.ctx.clock.nowMs());
    expect(r.outcome).toMatchObject({ ok: true, attempts: 2 });
    expect(graphCalls().map((c) => c.method)).toEqual(['GET', 'GET', 'POST']);
    expect(keysOf(ID.megan)).toHaveLength(1);
  });

  it('the challenge runs out by Microsoft’s clock only: Graph refuses it, the flow starts once more and succeeds', async () => {
    const r = await runOutlastingTheChallenge(undefined);
    expect(r.outcome).toMatchObject({ ok: true, attempts: 2 });
    expect(graphCalls().map((c) => `${c.method} ${c.status}`)).toEqual(['GET 200', 'POST 400', 'GET 200', 'POST 201']);
  });

  it('no touch in time: the person is told, nothing registered', async () => {
    key = await openSoftKey({ pin: PIN, touch: 'never', touchTimeoutMs: 200 });
    const r = await run(PIN);
    expect(r.outcome).toMatchObject({ ok: false, error: { code: 'key.no-touch' } });
    expect(r.steps).toContain('touch');
    expect(keysOf(ID.megan)).toEqual([]);
    expect([...r.pin].every((b) => b === 0)).toBe(true);
  });

  it('the key is unplugged during makeCredential: key.unplugged, nothing registered, a failure journalled', async () => {
    key = await openSoftKey({ pin: PIN, touch: 'wait', touchTimeoutMs: 5_000 });
    const r = await run(PIN, { onStep: (s) => s === 'touch' && key!.device.unplug() });
    expect(r.outcome).toMatchObject({ ok: false, error: { code: 'key.unplugged' } });
    expect(keysOf(ID.megan)).toEqual([]);
    expect(journal.events().filter((e) => e.type === 'failure')).toEqual([expect.objectContaining({ step: 'provision', code: 'key.unplugged' })]);
  });

  it('an AAGUID the policy blocks: refused before the key is asked (policy readable) or by Graph (not readable)', async () => {
    key = await openSoftKey({ pin: PIN });
    const aaguid = (await key.info()).aaguid;
    const restrictions = { isEnforced: true, enforcementType: 'block' as const, aaGuids: [aaguid.toUpperCase()] };
    const before = await run(PIN, {
      policy: { state: 'enabled', isSelfServiceRegistrationAllowed: true, isAttestationEnforced: false, keyRestrictions: restrictions },
    });
    expect(before.outcome).toMatchObject({ ok: false, error: { code: 'policy.aaguid-blocked', params: { aaguid } } });
    expect(made()).toBe(0);
    expect(graphCalls()).toEqual([]);

    emu.ctx.state.fido2Policy.keyRestrictions = { ...restrictions, aaGuids: [aaguid] };
    const graphSaid = await run(PIN);
    expect(graphSaid.outcome).toMatchObject({ ok: false, error: { code: 'graph.key-refused' } });
    expect(keysOf(ID.megan)).toEqual([]);
  });

  it('a guest: Graph refuses the options, nothing is made on the key', async () => {
    key = await openSoftKey({ pin: PIN });
    const lynne = emu.ctx.state.users.get(ID.lynne)!;
    const r = await run(PIN, { user: { id: lynne.id, upn: lynne.userPrincipalName } });
    expect(r.outcome).toMatchObject({ ok: false, error: { code: 'graph.guest' } });
    expect(made()).toBe(0);
  });

  it('the journal cannot be written (disk full): refused before the key or Graph is asked; fine again once it can', async () => {
    key = await openSoftKey({ pin: PIN });
    const handle = await open(join(journal.folder, 'fault-probe'), 'w');
    const proto = Object.getPrototypeOf(handle) as { datasync: () => Promise<void> };
    await handle.close();
    const spy = vi.spyOn(proto, 'datasync').mockRejectedValue(Object.assign(new Error('ENOSPC: injected'), { code: 'ENOSPC' }));
    let refused: Run;
    try {
      refused = await run(PIN);
    } finally {
      spy.mockRestore();
    }
    expect(refused.outcome).toMatchObject({ ok: false, error: { code: 'journal.full' } });
    expect(refused.steps).toEqual(['checking']);
    expect(key.core.commands).not.toContain(Ctap2Command.makeCredential);
    expect(graphCalls()).toEqual([]);
    const again = await run(PIN);
    expect(again.outcome).toMatchObject({ ok: true });
    expect(provisioned()).toHaveLength(1);
  });

  it('operator-set PIN: proven, then the key demands a new PIN at first use (forceChangePin)', async () => {
    key = await openSoftKey();
    const r = await run(PIN, { confirm: PIN, forceChangePin: true });
    expect(r.outcome).toMatchObject({ ok: true, pinSetHere: true, pinChangeForced: true });
    expect(key.core.commands).toContain(Ctap2Command.config);
    // What the person's computer reads next: getInfo says the PIN must change before anything else works.
    expect((await key.info()).forcePINChange).toBe(true);
    expect([...r.pin].every((b) => b === 0)).toBe(true);
  });

  it('operator-set PIN on a key without authenticatorConfig: registered, and the outcome says it could not force the change', async () => {
    key = await openSoftKey({ profile: profile('security-key-nfc-blue') });
    const r = await run(PIN, { confirm: PIN, forceChangePin: true });
    expect(r.outcome).toMatchObject({ ok: true, pinSetHere: true, pinChangeForced: false });
    expect(key.core.commands).not.toContain(Ctap2Command.config);
    expect((await key.info()).forcePINChange).not.toBe(true);
  });

  it('without the operator option nothing is forced', async () => {
    key = await openSoftKey();
    const r = await run(PIN, { confirm: PIN });
    expect(r.outcome).toMatchObject({ ok: true, pinChangeForced: false });
    expect(key.core.commands).not.toContain(Ctap2Command.config);
  });

  it('no PIN used in this file is in any file written while it ran (journal, temp folder, working directory)', () => {
    // The PINs a person would really choose here (8 digits); the short ones refused above ('123') match any hex.
    const real = [...pinsUsed].filter((p) => p.length >= 8);
    expect(real).toEqual([PIN, OTHER]);
    const scan = scanForPasses(real, leakRoots(), suiteStart);
    expect(scan.files).toBeGreaterThan(0);
    // The sandbox's own job spool (outside the project: the shell that runs this suite) is not ours to judge.
    const hits = scan.hits.filter((h) => !/\/bash_jobs\.[^/]+\//.test(h.file));
    expect(hits, describeHits(hits)).toEqual([]);
  });
});

describe('the display name', () => {
  it('is whole words of the model and the day, at most 30 characters', () => {
    const day = new Date('2026-12-05T10:00:00Z');
    expect(keyDisplayName('YubiKey 5 Series with NFC', day)).toBe('YubiKey 5 Series 2026-12-05');
    expect(keyDisplayName('TOKEN2 FIDO2 Security Key', day)).toBe('TOKEN2 FIDO2 2026-12-05');
    expect(keyDisplayName('Supercalifragilisticexpialidocious Key', day)).toBe('Supercalifragilisti 2026-12-05');
    for (const m of ['a'.repeat(100), 'Security Key NFC by Yubico - Enterprise Edition']) expect(keyDisplayName(m, day).length).toBeLessThanOrEqual(30);
  });
});
