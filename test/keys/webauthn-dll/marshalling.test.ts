/**
 * webauthn.dll marshalling in Node: the v1 struct layouts against webauthn.h's x64 layout
 * (docs/reference/webauthn-dll.md §4), the encoding of the options into native memory and back, and the
 * HRESULT mapping.
 */
import koffi from 'koffi';
import { describe, expect, it } from 'vitest';
import {
  CLIENT_DATA,
  COSE_CREDENTIAL_PARAMETER,
  COSE_CREDENTIAL_PARAMETERS,
  CREDENTIAL,
  CREDENTIALS,
  RP_ENTITY_INFORMATION,
  USER_ENTITY_INFORMATION,
  clientData,
  coseParameters,
  rpEntity,
  userEntity,
} from '../../../main/keys/webauthn-dll/structs';
import { WebAuthnDllError, WebAuthnHresult, checkHresult } from '../../../main/keys/webauthn-dll/hresult';

const is64 = koffi.sizeof('void *') === 8;

describe.runIf(is64)('struct layouts (x64)', () => {
  it.each([
    [RP_ENTITY_INFORMATION, 32, { dwVersion: 0, pwszId: 8, pwszName: 16, pwszIcon: 24 }],
    [USER_ENTITY_INFORMATION, 40, { dwVersion: 0, cbId: 4, pbId: 8, pwszName: 16, pwszIcon: 24, pwszDisplayName: 32 }],
    [CLIENT_DATA, 24, { cbClientDataJSON: 4, pbClientDataJSON: 8, pwszHashAlgId: 16 }],
    [COSE_CREDENTIAL_PARAMETER, 24, { pwszCredentialType: 8, lAlg: 16 }],
    [COSE_CREDENTIAL_PARAMETERS, 16, { pCredentialParameters: 8 }],
    [CREDENTIAL, 24, { cbId: 4, pbId: 8, pwszCredentialType: 16 }],
    [CREDENTIALS, 16, { pCredentials: 8 }],
  ] as const)('%#: size and offsets', (type, size, offsets) => {
    expect(koffi.sizeof(type)).toBe(size);
    for (const [field, offset] of Object.entries(offsets)) expect(koffi.offsetof(type, field)).toBe(offset);
  });
});

describe('encoding the options into native memory', () => {
  it('round-trips RP, user, client data and algorithms through koffi', () => {
    const json = Buffer.from('{"type":"webauthn.create","challenge":"AAEC","origin":"https://login.microsoft.com","crossOrigin":false}');
    const rp = koffi.alloc(RP_ENTITY_INFORMATION, 1);
    const user = koffi.alloc(USER_ENTITY_INFORMATION, 1);
    const cd = koffi.alloc(CLIENT_DATA, 1);
    const params = koffi.alloc(COSE_CREDENTIAL_PARAMETERS, 1);
    try {
      koffi.encode(rp, RP_ENTITY_INFORMATION, rpEntity({ id: 'login.microsoft.com' }));
      koffi.encode(user, USER_ENTITY_INFORMATION, userEntity({ id: Buffer.from('user-id'), name: 'ada@example.org', displayName: 'Ada Lovelace' }));
      koffi.encode(cd, CLIENT_DATA, clientData(json));
      koffi.encode(params, COSE_CREDENTIAL_PARAMETERS, coseParameters([-7, -257]));

      const r = koffi.decode(rp, RP_ENTITY_INFORMATION) as { dwVersion: number; pwszId: string; pwszName: string; pwszIcon: string | null };
      expect(r).toEqual({ dwVersion: 1, pwszId: 'login.microsoft.com', pwszName: 'login.microsoft.com', pwszIcon: null });
      const u = koffi.decode(user, USER_ENTITY_INFORMATION) as { cbId: number; pbId: unknown; pwszDisplayName: string };
      expect(u.cbId).toBe(7);
      expect(Buffer.from(koffi.view(u.pbId, u.cbId)).toString()).toBe('user-id');
      expect(u.pwszDisplayName).toBe('Ada Lovelace');
      // PCWSTR is UTF-16LE in memory
      const nameRaw = koffi.decode(user, koffi.offsetof(USER_ENTITY_INFORMATION, 'pwszName'), 'void *');
      expect(Buffer.from(koffi.view(nameRaw, 6)).toString('utf16le')).toBe('ada');
      const c = koffi.decode(cd, CLIENT_DATA) as { cbClientDataJSON: number; pbClientDataJSON: unknown; pwszHashAlgId: string };
      expect(Buffer.from(koffi.view(c.pbClientDataJSON, c.cbClientDataJSON)).equals(json)).toBe(true);
      expect(c.pwszHashAlgId).toBe('SHA-256');
      const p = koffi.decode(params, COSE_CREDENTIAL_PARAMETERS) as { cCredentialParameters: number; pCredentialParameters: unknown };
      const list = koffi.decode(p.pCredentialParameters, COSE_CREDENTIAL_PARAMETER, 2) as { lAlg: number; pwszCredentialType: string }[];
      expect(list.map((x) => x.lAlg)).toEqual([-7, -257]);
      expect(list[0]?.pwszCredentialType).toBe('public-key');
    } finally {
      for (const m of [rp, user, cd, params]) koffi.free(m);
    }
  });
  it('refuses a user id longer than 64 bytes', () => {
    expect(() => userEntity({ id: new Uint8Array(65), name: 'a', displayName: 'a' })).toThrow(RangeError);
  });
});

describe('HRESULT → typed error', () => {
  it('maps koffi’s signed values and names the known ones', () => {
    expect(() => checkHresult(0)).not.toThrow();
    const exists = (() => {
      try {
        checkHresult(0x8009000f | 0); // as koffi returns it: negative int32
      } catch (e) {
        return e;
      }
    })() as WebAuthnDllError;
    expect(exists).toBeInstanceOf(WebAuthnDllError);
    expect(exists.hresult).toBe(WebAuthnHresult.NteExists);
    expect(exists.hresultName).toBe('NteExists');
    expect(exists.remedy).toBe('already-registered');
    expect(new WebAuthnDllError(WebAuthnHresult.NteTokenKeysetStorageFull).remedy).toBe('key-full');
    expect(new WebAuthnDllError(WebAuthnHresult.NteUserCancelled).remedy).toBe('cancelled');
    expect(new WebAuthnDllError(0x80004005).hresultName).toBe('0x80004005');
  });
});
