/**
 * PIN/UV auth protocol test vectors:
 * - protocol 1: Yubico/python-fido2 tests/test_ctap2.py (EC_PRIV, DEV_PUB_X/Y, SHARED, TOKEN_ENC, TOKEN,
 *   PIN_HASH_ENC, test_set_pin, test_change_pin);
 * - protocols 1 and 2: WebauthnWorks/CTAP2.1-Migration-Guide@e3c8dd4 Protocol/PinUvAuthnProtocol2.md;
 * - authenticatorConfig MAC: the same guide's Protocol/AuthenticatorConfig.md (enableEnterpriseAttestation).
 * Copied with their sources into docs/reference/ctap2-pin-protocols.md.
 */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { PinProtocolOne, PinProtocolTwo, coseKeyAgreement } from '../../../main/keys/ctap2/pin-protocol';
import { pinEncoding } from '../../../main/keys/ctap2/client-pin';
import { protocolOne, protocolTwo } from '../../authenticator/fido2/pin-uv-protocols';

const hex = (s: string): Buffer => Buffer.from(s, 'hex');
const str = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('protocol 1 (python-fido2 tests/test_ctap2.py)', () => {
  const p1 = new PinProtocolOne();
  const devicePoint = Buffer.concat([
    Uint8Array.of(4),
    hex('0501d5bc78da9252560a26cb08fcc60cbe0b6d3b8e1d1fcee514fac0af675168'),
    hex('d551b3ed46f665731f95b4532939c25d91db7eb844bd96d4abd4083785f8df47'),
  ]);
  const shared = hex('c42a039d548100dfba521e487debcbbb8b66bb7496f8b1862a7a395ed83e1a1c');

  it('derives the shared secret from the fixed platform key and sends its public key with alg -25', () => {
    const { keyAgreement, sharedSecret } = p1.encapsulate(
      coseKeyAgreement(devicePoint),
      hex('7452e599fee739d8a653f6a507343d12d382249108a651402520b72f24fe7684'),
    );
    expect(str(sharedSecret)).toBe(str(shared));
    expect(str(keyAgreement.get(-2) as Uint8Array)).toBe('44d78d7989b97e62ea993496c9ef6e8fd58b8b00715f9a89153ddd9c4657e47f');
    expect(keyAgreement.get(3)).toBe(-25);
  });
  it('pinHashEnc("1234"), token decryption, setPIN and changePIN', () => {
    const pin = Buffer.from('1234');
    expect(str(p1.encrypt(shared, pinEncoding.pinHash(pin)))).toBe('afe8327ce416da8ee3d057589c2ce1a9');
    expect(str(p1.decrypt(shared, hex('7a9f98e31b77be90f9c64d12e9635040')))).toBe('aff12c6dcfbf9df52f7a09211e8865cd');
    const newPinEnc = p1.encrypt(shared, pinEncoding.padPin(pin));
    expect(str(newPinEnc)).toBe(
      '0222fc42c6dd76a274a7057858b9b29d98e8a722ec2dc6668476168c5320473cec9907b4cd76ce7943c96ba5683943211d84471e64d9c51e54763488cd66526a',
    );
    expect(str(p1.authenticate(shared, newPinEnc))).toBe('7b40c084ccc5794194189ab57836475f');
    const changed = p1.encrypt(shared, pinEncoding.padPin(Buffer.from('4321')));
    expect(str(changed)).toBe(
      '4280e14aac4fcbf02dd079985f0c0ffc9ea7d5f9c173fd1a4c843826f7590cb3c2d080c6923e2fe6d7a52c31ea1309d3fcca3dedae8a2ef14b6330cafc79339e',
    );
    expect(str(p1.authenticate(shared, Buffer.concat([changed, hex('afe8327ce416da8ee3d057589c2ce1a9')])))).toBe('fb97e92f3724d7c85e001d7f93e6490a');
  });
  it('the software authenticator (independent code) agrees', () => {
    expect(str(protocolOne.kdf(hex('001bc4b24d2372ce13715cbf731e660586bb713408f0d1f5ad79cb1088f9e53c')))).toBe(str(shared));
    expect(protocolOne.verify(shared, Buffer.from('x'), p1.authenticate(shared, Buffer.from('x')))).toBe(true);
  });
});

describe('protocols 1 and 2 (WebauthnWorks CTAP2.1 migration guide)', () => {
  const authPub = hex('04d7404f738990a0af2bbc053d39f0a9c293898bf8e7c0fb9ab1ef4dd61bb70d37c09bed90721b78631be0e68f42997f7a1957b87a6537cfade9f0a68cd432e7f9');
  const platformPriv = hex('e5fccb46de79b04b62e930bbb72b274e30134545f08d54c72bba22407c825344');
  const m = Buffer.concat([hex('70617373776f72647341726542616400'), Buffer.alloc(48)]);

  it('protocol 1: shared secret, encrypt, authenticate', () => {
    const p1 = new PinProtocolOne();
    const { sharedSecret } = p1.encapsulate(coseKeyAgreement(authPub), platformPriv);
    expect(str(sharedSecret)).toBe('8f186f64182b86cfd8bbf73354772066ba46de6514149a7a79c050a3ce4f1ff9');
    const c = p1.encrypt(sharedSecret, m);
    expect(str(c)).toBe('b206fc6039c9817a045fd274c601f448900b37a9bd2a7fdfe02e60471f684d0d1be5318c1c1d29c02ac2333bb039b0f7e2f9cccb6b4faca97281f95a8805f782');
    expect(str(p1.authenticate(sharedSecret, c))).toBe('8d4bb4e328427041bfd1e3dd70b1fffd');
  });
  it('protocol 2: HKDF keys, encrypt with the given IV, authenticate, decrypt a token', () => {
    const p2 = new PinProtocolTwo();
    const { sharedSecret, keyAgreement } = p2.encapsulate(coseKeyAgreement(authPub), platformPriv);
    expect(str(sharedSecret)).toBe(
      'efe50001d97a7cf14096589e65147b108653683cc22aaf4d1f3bd91dc8e41cbd6e1db0c8ebc48dad977a81d26ca7e5bfb0243bd1a2aba6c45adc7a00729b2027',
    );
    expect(str(keyAgreement.get(-2) as Uint8Array)).toBe('003a0bc15db601a238e891db21ca5f71eab98c8e05bf4e318daf471ea6e76dab');
    const c = p2.encrypt(sharedSecret, m, hex('3672a1bc264e2cef5f647aff51100b15'));
    expect(str(c)).toBe(
      '3672a1bc264e2cef5f647aff51100b15c2cdbe642fe446d1e7eb6cf52ef5268b616d1d2720c5b0d05195d0ab3b07a248a2f99930060ad3ce58a89824928050a93aa453ca66a8feade0333721dbf1b966',
    );
    expect(str(p2.authenticate(sharedSecret, c))).toBe('6572fe937c1c04fb68b5a91408f9058246a6650013fe8dc023c5eec130f01a28');
    expect(str(p2.decrypt(sharedSecret, hex('387d215a2ff31e31b0520c7ea5ed2e07777861b34f890b385746cc8278d7bee0626c2007ca2fb6f9c89ca60725f97cb6')))).toBe(
      '0125fecfd8bf3f679bd9ec221324baa74f3cade0314b4fba8029500a320612ad',
    );
    // The authenticator's RFC 5869 HKDF gives the same keys.
    expect(str(protocolTwo.kdf(hex('ee33f2cb08a46d2ddcaf03214af14c31510fcaa4452b8e6e04710fbc66727bac')))).toBe(str(sharedSecret));
    expect(protocolTwo.decrypt(sharedSecret, c)?.equals(m)).toBe(true);
  });
  it('authenticatorConfig enableEnterpriseAttestation MAC over 32×FF ‖ 0D 01 with the P2 token', () => {
    const token = hex('0125fecfd8bf3f679bd9ec221324baa74f3cade0314b4fba8029500a320612ad');
    const mac = new PinProtocolTwo().authenticate(token, Buffer.concat([Buffer.alloc(32, 0xff), Uint8Array.of(0x0d, 0x01)]));
    expect(str(mac)).toBe('4e724bc8af8776d0e92a3961c28bf9980b7b3962c610ba7abf07c74a0972b074');
    expect(str(mac)).toBe(
      createHmac('sha256', token)
        .update(Buffer.concat([Buffer.alloc(32, 0xff), Uint8Array.of(0x0d, 0x01)]))
        .digest('hex'),
    );
  });
});
