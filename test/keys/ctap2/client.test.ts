/**
 * The CTAP 2.1 client (main/keys/ctap2/) against the software authenticator (test/authenticator/fido2-core.ts,
 * written independently from the spec) over the real CTAPHID transport.
 */
import { createHash, randomBytes, verify, X509Certificate } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { ClientPin, PinPermission, encodePin } from '../../../main/keys/ctap2/client-pin';
import { makeCredential, CredProtect } from '../../../main/keys/ctap2/make-credential';
import { getAssertion } from '../../../main/keys/ctap2/get-assertion';
import { setMinPinLength } from '../../../main/keys/ctap2/config';
import { reset } from '../../../main/keys/ctap2/reset';
import { AuthDataFlag, verifySignature } from '../../../main/keys/ctap2/auth-data';
import { Ctap2Error, Ctap2Status } from '../../../main/keys/ctap2/status';
import { PinUvAuthProtocolVersion } from '../../../main/keys/ctap2/pin-protocol';
import { profile } from '../../authenticator/profiles';
import { openSoftKey, type SoftKey } from './soft-fido2';

const RP = 'login.microsoft.com';
const PIN = '246813';
let key: SoftKey | undefined;
afterEach(async () => {
  await key?.close();
  key = undefined;
});

async function statusOf(p: Promise<unknown>): Promise<Ctap2Error> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(Ctap2Error);
  return e as Ctap2Error;
}

const cdh = (): Buffer => randomBytes(32);

describe('clientPIN over CTAPHID', () => {
  it('sets a PIN on a fresh key, then getInfo shows clientPin true and 8 retries', async () => {
    key = await openSoftKey();
    expect((await key.info()).options['clientPin']).toBe(false);
    const cp = new ClientPin(key.session, PinUvAuthProtocolVersion.Two);
    await cp.setPin(encodePin(PIN));
    expect((await key.info()).options['clientPin']).toBe(true);
    expect(await cp.getPinRetries()).toEqual({ retries: 8, powerCycleState: false });
    // setPIN again: refused, the PIN stays
    expect((await statusOf(cp.setPin(encodePin('999999')))).status).toBe(Ctap2Status.PinAuthInvalid);
  });

  it('wrong PIN: PIN_INVALID with retries; the third in a row PIN_AUTH_BLOCKED until replug; never the PIN in the error', async () => {
    key = await openSoftKey({ pin: PIN });
    const cp = new ClientPin(key.session, PinUvAuthProtocolVersion.Two);
    const first = await statusOf(cp.getPinUvAuthTokenUsingPin(encodePin('111111'), PinPermission.MakeCredential, RP));
    expect(first.status).toBe(Ctap2Status.PinInvalid);
    expect(first.remedy).toBe('retry-pin');
    expect(first.pinRetries).toBe(7);
    expect(`${first.message}${first.stack}`).not.toContain('111111');
    await statusOf(cp.getPinUvAuthTokenUsingPin(encodePin('111112'), PinPermission.MakeCredential, RP));
    const third = await statusOf(cp.getPinUvAuthTokenUsingPin(encodePin('111113'), PinPermission.MakeCredential, RP));
    expect(third.status).toBe(Ctap2Status.PinAuthBlocked);
    expect(third.remedy).toBe('replug');
    // even the right PIN is refused until a power cycle
    expect((await statusOf(cp.getPinUvAuthTokenUsingPin(encodePin(PIN), PinPermission.MakeCredential, RP))).status).toBe(Ctap2Status.PinAuthBlocked);
    expect((await cp.getPinRetries()).powerCycleState).toBe(true);
    await key.replug();
    const cp2 = new ClientPin(key.session, PinUvAuthProtocolVersion.Two);
    expect((await cp2.getPinRetries()).retries).toBe(5);
    const token = await cp2.getPinUvAuthTokenUsingPin(encodePin(PIN), PinPermission.MakeCredential, RP);
    token.wipe();
    expect((await cp2.getPinRetries()).retries).toBe(8);
  });

  it('PIN blocked after 8 wrong tries: only reset (within 10 s of plug-in, with a touch) helps', async () => {
    let clock = 0;
    key = await openSoftKey({ pin: PIN, now: () => clock });
    for (let i = 0; i < 8; i++) {
      if (i % 3 === 0 && i > 0) await key.replug();
      const e = await statusOf(new ClientPin(key.session, 2).getPinToken(encodePin('000000')));
      expect(e.status).toBe(i === 7 ? Ctap2Status.PinBlocked : i % 3 === 2 ? Ctap2Status.PinAuthBlocked : Ctap2Status.PinInvalid);
    }
    await key.replug();
    const blocked = await statusOf(new ClientPin(key.session, 2).getPinToken(encodePin(PIN)));
    expect(blocked.status).toBe(Ctap2Status.PinBlocked);
    expect(blocked.remedy).toBe('reset-key');
    clock += 10_001;
    const late = await statusOf(reset(key.session));
    expect(late.status).toBe(Ctap2Status.NotAllowed);
    await key.replug();
    let touched = 0;
    await reset(key.session, { onTouchNeeded: () => touched++ });
    expect(touched).toBe(1);
    expect((await key.info()).options['clientPin']).toBe(false);
  });

  it('getUVRetries: the count from a key with built-in UV, INVALID_SUBCOMMAND from one without', async () => {
    key = await openSoftKey({ uvRetries: 5 });
    expect(await new ClientPin(key.session, 2).getUvRetries()).toBe(5);
    await key.close();
    key = await openSoftKey();
    expect((await statusOf(new ClientPin(key.session, 2).getUvRetries())).status).toBe(Ctap2Status.InvalidSubcommand);
  });
});

describe('makeCredential and the proof', () => {
  it('makes a resident credential with UV and credProtect, packed attestation verifies; the proof needs a fresh token and no touch', async () => {
    key = await openSoftKey({ pin: PIN });
    const cp = new ClientPin(key.session, PinUvAuthProtocolVersion.Two);
    const pin = encodePin(PIN);
    const token = await cp.getPinUvAuthTokenUsingPin(pin, PinPermission.MakeCredential | PinPermission.GetAssertion, RP);
    const hash = cdh();
    let touches = 0;
    const made = await makeCredential(
      key.session,
      {
        clientDataHash: hash,
        rp: { id: RP },
        user: { id: Buffer.from('user-1'), name: 'ada@example.org' },
        algorithms: [-7],
        residentKey: true,
        credProtect: CredProtect.UserVerificationOptionalWithCredentialIdList,
        token,
      },
      { onTouchNeeded: () => touches++ },
    );
    expect(touches).toBe(1);
    expect(made.fmt).toBe('packed');
    expect(made.authData.flags & AuthDataFlag.UserVerified).toBeTruthy();
    expect(made.authData.attested?.aaguid).toBe(profile('token2-t2f2-nfc').aaguid);
    expect(made.authData.extensions?.get('credProtect')).toBe(2);
    expect(Buffer.from(made.authData.rpIdHash).equals(createHash('sha256').update(RP).digest())).toBe(true);
    // packed attestation: x5c[0] signs authData ‖ clientDataHash
    const leaf = new X509Certificate(Buffer.from((made.attStmt.get('x5c') as Uint8Array[])[0]!));
    expect(leaf.subject).toContain('OU=Authenticator Attestation');
    expect(verify('sha256', Buffer.concat([made.authDataBytes, hash]), leaf.publicKey, made.attStmt.get('sig') as Uint8Array)).toBe(true);

    // makeCredential used the token up (CTAP 2.1 §6.1.2: permissions cleared after a user-present operation)
    const proofHash = cdh();
    const used = await statusOf(
      getAssertion(key.session, { rpId: RP, clientDataHash: proofHash, allowList: [{ id: made.credentialId }], userPresence: false, token }),
    );
    expect(used.status).toBe(Ctap2Status.PinAuthInvalid);
    const ga = await cp.getPinUvAuthTokenUsingPin(pin, PinPermission.GetAssertion, RP);
    pin.fill(0);
    touches = 0;
    const proof = await getAssertion(
      key.session,
      { rpId: RP, clientDataHash: proofHash, allowList: [{ id: made.credentialId }], userPresence: false, token: ga },
      { onTouchNeeded: () => touches++ },
    );
    expect(touches).toBe(0);
    expect(proof.authData.flags & AuthDataFlag.UserPresent).toBe(0);
    expect(proof.authData.flags & AuthDataFlag.UserVerified).toBeTruthy();
    expect(Buffer.from(proof.credentialId).equals(Buffer.from(made.credentialId))).toBe(true);
    expect(verifySignature(made.authData.attested!.publicKey, proof.authDataBytes, proofHash, proof.signature)).toBe(true);
    expect(verifySignature(made.authData.attested!.publicKey, proof.authDataBytes, cdh(), proof.signature)).toBe(false);
  });

  it('excludeList hit → CREDENTIAL_EXCLUDED (already registered); rk without a token on a PIN key → PUAT_REQUIRED', async () => {
    key = await openSoftKey({ pin: PIN });
    const cp = new ClientPin(key.session, 2);
    const req = { rp: { id: RP }, user: { id: Buffer.from('u') }, residentKey: true };
    const made = await makeCredential(key.session, { ...req, clientDataHash: cdh(), token: await cp.getPinUvAuthTokenUsingPin(encodePin(PIN), 1, RP) });
    const again = await statusOf(
      makeCredential(key.session, {
        ...req,
        clientDataHash: cdh(),
        excludeList: [{ id: made.credentialId }],
        token: await cp.getPinUvAuthTokenUsingPin(encodePin(PIN), 1, RP),
      }),
    );
    expect(again.status).toBe(Ctap2Status.CredentialExcluded);
    expect(again.remedy).toBe('already-registered');
    expect((await statusOf(makeCredential(key.session, { ...req, clientDataHash: cdh() }))).status).toBe(Ctap2Status.PuatRequired);
  });

  it('a full key store → KEY_STORE_FULL; an unsupported algorithm → UNSUPPORTED_ALGORITHM', async () => {
    key = await openSoftKey({ maxResidentKeys: 1 });
    await makeCredential(key.session, { clientDataHash: cdh(), rp: { id: RP }, user: { id: Buffer.from('a') }, residentKey: true });
    const full = await statusOf(makeCredential(key.session, { clientDataHash: cdh(), rp: { id: RP }, user: { id: Buffer.from('b') }, residentKey: true }));
    expect(full.status).toBe(Ctap2Status.KeyStoreFull);
    expect(full.remedy).toBe('key-full');
    expect(
      (await statusOf(makeCredential(key.session, { clientDataHash: cdh(), rp: { id: RP }, user: { id: Buffer.from('c') }, algorithms: [-257] }))).status,
    ).toBe(Ctap2Status.UnsupportedAlgorithm);
  });

  it('no touch in time → USER_ACTION_TIMEOUT; declined → OPERATION_DENIED', async () => {
    key = await openSoftKey({ touch: 'never', touchTimeoutMs: 150 });
    const req = { clientDataHash: cdh(), rp: { id: RP }, user: { id: Buffer.from('a') } };
    let touch = 0;
    const late = await statusOf(makeCredential(key.session, req, { onTouchNeeded: () => touch++ }));
    expect(late.status).toBe(Ctap2Status.UserActionTimeout);
    expect(late.remedy).toBe('touch-timeout');
    expect(touch).toBe(1);
    key.core.touch = 'deny';
    expect((await statusOf(makeCredential(key.session, req))).status).toBe(Ctap2Status.OperationDenied);
  });

  it('credProtect 3 hides the credential from an assertion without UV → NO_CREDENTIALS', async () => {
    key = await openSoftKey();
    await makeCredential(key.session, {
      clientDataHash: cdh(),
      rp: { id: RP },
      user: { id: Buffer.from('a') },
      residentKey: true,
      credProtect: CredProtect.UserVerificationRequired,
    });
    expect((await statusOf(getAssertion(key.session, { rpId: RP, clientDataHash: cdh() }))).status).toBe(Ctap2Status.NoCredentials);
  });

  it('protocol 1 key (YubiKey 5, CTAP 2.1 PRE): getPinToken (0x05) and makeCredential with a 16-byte MAC', async () => {
    key = await openSoftKey({ profile: profile('yubikey-5-nfc'), pin: PIN });
    const cp = new ClientPin(key.session, PinUvAuthProtocolVersion.One);
    const token = await cp.getPinToken(encodePin(PIN));
    const made = await makeCredential(key.session, { clientDataHash: cdh(), rp: { id: RP }, user: { id: Buffer.from('a') }, residentKey: true, token });
    expect(made.authData.flags & AuthDataFlag.UserVerified).toBeTruthy();
  });
});

describe('authenticatorConfig', () => {
  it('setMinPINLength above the PIN forces a PIN change: the right PIN then gets PIN_INVALID until changePIN', async () => {
    key = await openSoftKey({ pin: '2468' });
    const cp = new ClientPin(key.session, 2);
    const acfg = await cp.getPinUvAuthTokenUsingPin(encodePin('2468'), PinPermission.AuthenticatorConfig);
    await setMinPinLength(key.session, { newMinPinLength: 6 }, acfg);
    const info = await key.info();
    expect(info.minPINLength).toBe(6);
    expect(info.forcePINChange).toBe(true);
    expect((await statusOf(cp.getPinUvAuthTokenUsingPin(encodePin('2468'), 1, RP))).status).toBe(Ctap2Status.PinInvalid);
    expect((await statusOf(cp.changePin(encodePin('2468'), encodePin('13579')))).status).toBe(Ctap2Status.PinPolicyViolation);
    await cp.changePin(encodePin('2468'), encodePin('135790'));
    expect((await key.info()).forcePINChange).toBe(false);
    (await cp.getPinUvAuthTokenUsingPin(encodePin('135790'), 1, RP)).wipe();
  });
  it('without the token on a PIN key → PUAT_REQUIRED; lowering the minimum → PIN_POLICY_VIOLATION', async () => {
    key = await openSoftKey({ pin: '2468' });
    expect((await statusOf(setMinPinLength(key.session, { forceChangePin: true }))).status).toBe(Ctap2Status.PuatRequired);
    const acfg = await new ClientPin(key.session, 2).getPinUvAuthTokenUsingPin(encodePin('2468'), PinPermission.AuthenticatorConfig);
    expect((await statusOf(setMinPinLength(key.session, { newMinPinLength: 3 }, acfg))).status).toBe(Ctap2Status.PinPolicyViolation);
    await setMinPinLength(key.session, { forceChangePin: true }, acfg);
    expect((await key.info()).forcePINChange).toBe(true);
  });
});
