/**
 * Provisioning through Windows' webauthn.dll (main/provision/platform-flow.ts) in Node: a stand-in for Windows
 * (test/authenticator/fake-windows.ts: its dialog gives the PIN the test chose, or cancels) in front of the
 * software authenticator, the real gateway against the Entra emulator, a real journal in a temp folder.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { provisionThroughPlatform, type PlatformOutcome, type PlatformProvisionRequest, type PlatformStep } from '../../main/provision/platform-flow';
import { Ctap2Command } from '../../main/keys/ctap2/constants';
import { WebAuthnDllError, WebAuthnHresult } from '../../main/keys/webauthn-dll/hresult';
import { toProvisionError } from '../../main/provision/errors';
import { startEmulator, type Emulator } from '../emulator';
import { gatewayFor, ALEX, ID } from '../directory/support';
import { FakeWindowsWebAuthn, type FakeWindowsOptions } from '../authenticator/fake-windows';
import { tempJournal, type TempJournal } from '../enrollment/support/journal';

const PIN = '73914628';
const MEGAN = { id: ID.megan, upn: 'megan.bowen@tapkioskdemo.onmicrosoft.com' };
const OPERATOR = { id: ID.alex, upn: ALEX };
const MODEL = 'TOKEN2 FIDO2 Security Key';

let emu: Emulator;
let journal: TempJournal;
let windows: FakeWindowsWebAuthn | undefined;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(async () => emu.close());
beforeEach(async () => {
  emu.reset();
  journal = await tempJournal();
});
afterEach(async () => {
  await windows?.close();
  windows = undefined;
  await journal.close();
});

const passkeys = () => emu.ctx.state.fido2Of(ID.megan);
const graphCalls = () => emu.requestLog().filter((r) => r.surface === 'graph' && /fido2Methods/.test(r.path));
const provisioned = () => journal.events().filter((e) => e.type === 'key.provisioned');
const failures = () => journal.events().filter((e) => e.type === 'failure');
const everyDialog: FakeWindowsOptions['dialog'] = () => ({ pin: PIN });

async function run(
  win: Partial<FakeWindowsOptions> & { pin?: string } = {},
  extra: Partial<PlatformProvisionRequest> & { now?: () => number } = {},
): Promise<{ outcome: PlatformOutcome; steps: PlatformStep[] }> {
  const { pin, ...rest } = win;
  windows ??= await FakeWindowsWebAuthn.open(pin ? { pin } : {}, { dialog: everyDialog, ...rest });
  const steps: PlatformStep[] = [];
  const { now, ...req } = extra;
  const outcome = await provisionThroughPlatform(
    { graph: gatewayFor(emu, { operator: ALEX }), journal: journal.journal, ...(now ? { now } : {}) },
    {
      enrollmentId: crypto.randomUUID(),
      operator: OPERATOR,
      user: MEGAN,
      authenticator: windows,
      modelOf: () => MODEL,
      onStep: (s) => steps.push(s),
      ...req,
    },
  );
  return { outcome, steps };
}

describe('provisioning through Windows’ dialog (webauthn.dll)', () => {
  it('a new key: Windows has the person choose a PIN, the passkey is registered, then proven in a second dialog', async () => {
    const r = await run();
    expect(r.outcome).toMatchObject({ ok: true, attempts: 1, model: MODEL });
    if (!r.outcome.ok) return;
    expect(r.steps).toEqual(['checking', 'options', 'windows-dialog', 'registering', 'windows-proof', 'done']);
    // Windows asked twice: to make the passkey, then to prove it (UV required, no silent assertion).
    expect(windows!.dialogs).toEqual(['create', 'get']);
    expect(windows!.key.core.state.pinRetries).toBeGreaterThan(0);
    expect((await windows!.key.info()).options['clientPin']).toBe(true);
    expect(passkeys()).toEqual([expect.objectContaining({ id: r.outcome.methodId, aaGuid: r.outcome.aaguid, displayName: r.outcome.displayName })]);
    expect(windows!.key.core.state.credentials.filter((c) => c.rpId === 'login.microsoft.com')).toHaveLength(1);
    expect(provisioned()).toEqual([
      expect.objectContaining({
        methodId: r.outcome.methodId,
        aaguid: r.outcome.aaguid,
        credIdSha256: r.outcome.credIdSha256,
        proven: true,
        pinSetHere: false,
      }),
    ]);
    expect(journal.everything()).not.toContain(PIN);
    expect(graphCalls().map((c) => c.method)).toEqual(['GET', 'POST']);
  });

  it('an AAGUID the policy blocks: found in the attestation after the key made it, no POST, the credential left on the key', async () => {
    windows = await FakeWindowsWebAuthn.open({ pin: PIN }, { dialog: everyDialog });
    const aaguid = (await windows.key.info()).aaguid;
    const policy = {
      state: 'enabled' as const,
      isSelfServiceRegistrationAllowed: true,
      isAttestationEnforced: false,
      keyRestrictions: { isEnforced: true, enforcementType: 'block' as const, aaGuids: [aaguid.toUpperCase()] },
    };
    const r = await run({}, { policy });
    expect(r.outcome).toEqual({ ok: false, error: { code: 'policy.aaguid-blocked', params: { aaguid } }, leftOnKey: true });
    expect(windows.dialogs).toEqual(['create']);
    expect(graphCalls().map((c) => c.method)).toEqual(['GET']);
    expect(passkeys()).toEqual([]);
    expect(windows.key.core.state.credentials).toHaveLength(1);
    expect(failures()).toEqual([expect.objectContaining({ code: 'policy.aaguid-blocked' })]);
    // The same policy allowing the model: registered.
    policy.keyRestrictions.enforcementType = 'allow' as 'block';
    windows.key.core.state.credentials.length = 0;
    expect((await run({}, { policy })).outcome.ok).toBe(true);
  });

  it('a tampered attestation (one byte of the signed data changed) is refused before Microsoft sees it', async () => {
    const r = await run({
      tamperCredential: (made) => {
        const authDataBytes = Uint8Array.from(made.authDataBytes);
        authDataBytes[32] = authDataBytes[32]! ^ 0x01; // a flag bit inside the signed authenticator data
        const attestationObject = Uint8Array.from(made.attestationObject);
        const at = Buffer.from(attestationObject).indexOf(Buffer.from(made.authDataBytes));
        attestationObject[at + 32] = attestationObject[at + 32]! ^ 0x01;
        return { ...made, authDataBytes, attestationObject };
      },
    });
    expect(r.outcome).toMatchObject({ ok: false, error: { code: 'attestation.invalid' }, leftOnKey: false });
    expect(graphCalls().map((c) => c.method)).toEqual(['GET']);
    expect(passkeys()).toEqual([]);
  });

  it('the person cancels Windows’ dialog: a code, nothing registered, the failure journalled', async () => {
    const r = await run({ dialog: () => 'cancel' });
    expect(r.outcome).toEqual({ ok: false, error: { code: 'key.dialog-cancelled', params: {} }, leftOnKey: false });
    expect(windows!.key.core.commands).not.toContain(Ctap2Command.makeCredential);
    expect(passkeys()).toEqual([]);
    expect(graphCalls().map((c) => c.method)).toEqual(['GET']);
    expect(failures()).toEqual([expect.objectContaining({ step: 'provision', code: 'key.dialog-cancelled' })]);
  });

  it('the key already holds the person’s passkey: Windows says NTE_EXISTS, Graph keeps the one it has', async () => {
    expect((await run({ pin: PIN })).outcome.ok).toBe(true);
    const again = await run();
    expect(again.outcome).toMatchObject({ ok: false, error: { code: 'key.already-registered' } });
    expect(passkeys()).toHaveLength(1);
  });

  it.each([
    ['the station’s clock', true, ['GET 200', 'GET 200', 'POST 201']],
    ['Microsoft’s clock only', false, ['GET 200', 'POST 400', 'GET 200', 'POST 201']],
  ])('the challenge runs out while Windows’ dialog is open (%s): new options, the dialog once more, registered', async (_, stationClock, calls) => {
    let creates = 0;
    const r = await run(
      {
        dialog: (kind) => {
          if (kind === 'create' && ++creates === 1) emu.advanceClock(6);
          return { pin: PIN };
        },
      },
      stationClock ? { now: () => emu.ctx.clock.nowMs() } : {},
    );
    expect(r.outcome).toMatchObject({ ok: true, attempts: 2 });
    expect(graphCalls().map((c) => `${c.method} ${c.status}`)).toEqual(calls);
    expect(passkeys()).toHaveLength(1);
  });

  it('the proof does not verify: registered, journalled unproven, proof.failed', async () => {
    const r = await run({
      tamperAssertion: (a) => {
        const signature = Uint8Array.from(a.signature);
        signature[signature.length - 1] = signature[signature.length - 1]! ^ 0x01;
        return { ...a, signature };
      },
    });
    expect(r.outcome).toMatchObject({ ok: false, error: { code: 'proof.failed' } });
    expect(passkeys()).toHaveLength(1);
    expect(provisioned()).toEqual([expect.objectContaining({ proven: false })]);
  });

  it('the person cancels the proof’s dialog: registered, journalled unproven, proof.failed', async () => {
    const r = await run({ dialog: (kind) => (kind === 'get' ? 'cancel' : { pin: PIN }) });
    expect(r.outcome).toMatchObject({ ok: false, error: { code: 'proof.failed' } });
    expect(passkeys()).toHaveLength(1);
    expect(provisioned()).toEqual([expect.objectContaining({ proven: false })]);
  });
});

describe('what Windows answers, as the screens word it', () => {
  it.each([
    [WebAuthnHresult.NteUserCancelled, 'key.dialog-cancelled'],
    [WebAuthnHresult.Win32Cancelled, 'key.dialog-cancelled'],
    [WebAuthnHresult.Win32Timeout, 'key.no-touch'],
    [WebAuthnHresult.NteExists, 'key.already-registered'],
    [WebAuthnHresult.NteTokenKeysetStorageFull, 'key.full'],
    [WebAuthnHresult.NteNotSupported, 'key.unsupported'],
    [WebAuthnHresult.NteDeviceNotFound, 'key.unplugged'],
    [WebAuthnHresult.NteNotFound, 'key.not-allowed'],
  ])('HRESULT %i → %s', (hresult, code) => {
    expect(toProvisionError(new WebAuthnDllError(hresult), 4)).toEqual({ code, params: {} });
  });
  it('anything else names the HRESULT (koffi’s signed int32 read as unsigned)', () => {
    expect(toProvisionError(new WebAuthnDllError(WebAuthnHresult.NteInvalidParameter | 0), 4)).toEqual({
      code: 'key.error',
      params: { status: 'NteInvalidParameter' },
    });
    expect(toProvisionError(new WebAuthnDllError(0x80004005 | 0), 4)).toEqual({ code: 'key.error', params: { status: '0x80004005' } });
  });
});
