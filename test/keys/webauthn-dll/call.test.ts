/**
 * webauthn.dll calls in Node, through a fake binding with the same marshalling as koffi's (no DLL): the option
 * structs' layouts and encoding, results decoded from DLL-shaped memory (and copied before the DLL frees it),
 * HRESULTs as typed errors, cancellation, the HWND, and which way the station talks to the key.
 */
import { createHash } from 'node:crypto';
import koffi from 'koffi';
import { describe, expect, it } from 'vitest';
import { WebAuthnDll, hwndFromHandle, type WebAuthnDllBinding } from '../../../main/keys/webauthn-dll/call';
import { WebAuthnDllError, WebAuthnHresult } from '../../../main/keys/webauthn-dll/hresult';
import { EXTENSIONS, GET_ASSERTION_OPTIONS, GUID, MAKE_CREDENTIAL_OPTIONS } from '../../../main/keys/webauthn-dll/options';
import { ASSERTION_V1, CREDENTIAL_ATTESTATION_V1, WebAuthnDllResultError } from '../../../main/keys/webauthn-dll/results';
import { keyPathFor } from '../../../main/keys/webauthn-dll/select';

const is64 = koffi.sizeof('void *') === 8;

describe.runIf(is64)('option and result layouts (x64, webauthn.h)', () => {
  it.each([
    ['GUID', GUID, 16, { Data1: 0, Data2: 4, Data3: 6, Data4: 8 }],
    ['EXTENSIONS', EXTENSIONS, 16, { cExtensions: 0, pExtensions: 8 }],
    [
      'MAKE_CREDENTIAL_OPTIONS v4',
      MAKE_CREDENTIAL_OPTIONS,
      96,
      {
        dwTimeoutMilliseconds: 4,
        CredentialList: 8,
        Extensions: 24,
        dwAuthenticatorAttachment: 40,
        bRequireResidentKey: 44,
        dwUserVerificationRequirement: 48,
        dwAttestationConveyancePreference: 52,
        dwFlags: 56,
        pCancellationId: 64,
        pExcludeCredentialList: 72,
        dwEnterpriseAttestation: 80,
        dwLargeBlobSupport: 84,
        bPreferResidentKey: 88,
      },
    ],
    [
      'GET_ASSERTION_OPTIONS v4',
      GET_ASSERTION_OPTIONS,
      88,
      {
        CredentialList: 8,
        Extensions: 24,
        dwAuthenticatorAttachment: 40,
        dwUserVerificationRequirement: 44,
        dwFlags: 48,
        pwszU2fAppId: 56,
        pbU2fAppId: 64,
        pCancellationId: 72,
        pAllowCredentialList: 80,
      },
    ],
    [
      'CREDENTIAL_ATTESTATION v1 prefix',
      CREDENTIAL_ATTESTATION_V1,
      96,
      {
        pwszFormatType: 8,
        cbAuthenticatorData: 16,
        pbAuthenticatorData: 24,
        cbAttestation: 32,
        pbAttestation: 40,
        dwAttestationDecodeType: 48,
        pvAttestationDecode: 56,
        cbAttestationObject: 64,
        pbAttestationObject: 72,
        cbCredentialId: 80,
        pbCredentialId: 88,
      },
    ],
    [
      'ASSERTION v1 prefix',
      ASSERTION_V1,
      72,
      { cbAuthenticatorData: 4, pbAuthenticatorData: 8, cbSignature: 16, pbSignature: 24, Credential: 32, cbUserId: 56, pbUserId: 64 },
    ],
  ] as const)('%s: size and offsets', (_name, type, size, offsets) => {
    expect(koffi.sizeof(type)).toBe(size);
    for (const [field, offset] of Object.entries(offsets)) expect(koffi.offsetof(type, field)).toBe(offset);
  });
});

// --- a DLL-shaped result in native memory -------------------------------------------------------------------

const RP_ID = 'login.microsoft.com';
const credId = Buffer.from('0123456789abcdef0123456789abcdef', 'hex');

function authData(withCredential: boolean): Buffer {
  const rpIdHash = createHash('sha256').update(RP_ID).digest();
  const flags = withCredential ? 0x45 : 0x05; // UP | UV (| AT)
  const head = Buffer.concat([rpIdHash, Buffer.from([flags, 0, 0, 0, 7])]);
  if (!withCredential) return head;
  const len = Buffer.alloc(2);
  len.writeUInt16BE(credId.length);
  return Buffer.concat([head, Buffer.alloc(16, 0xaa), len, credId, Buffer.from([0xa1, 0x01, 0x02])]); // COSE key {1: 2}
}

/** Native memory the fake DLL owns: the test sees it wiped (as a freed block would be) when it is freed. */
class NativeHeap {
  private blocks: { ptr: unknown; len: number }[] = [];
  bytes(b: Uint8Array): unknown {
    const ptr: unknown = koffi.alloc('uint8_t', b.length);
    koffi.encode(ptr, 'uint8_t', Array.from(b), b.length);
    this.blocks.push({ ptr, len: b.length });
    return ptr;
  }
  wipeAndFree(): void {
    for (const { ptr, len } of this.blocks) {
      koffi.encode(ptr, 'uint8_t', new Array<number>(len).fill(0), len);
      koffi.free(ptr);
    }
    this.blocks = [];
  }
}

interface Recorded {
  hwnd?: bigint;
  options?: Record<string, unknown>;
  rawOptions?: Buffer;
  rpId?: string;
  clientDataJSON?: Buffer;
  freed: number;
  cancelled: number;
  idsAtFree?: Buffer;
}

function fakeBinding(opts: { apiVersion?: number; hresult?: number; pending?: Promise<void>; withCredential?: boolean } = {}): {
  binding: WebAuthnDllBinding;
  rec: Recorded;
} {
  const heap = new NativeHeap();
  const rec: Recorded = { freed: 0, cancelled: 0 };
  let resultStruct: unknown = null;
  const finish = async (out: unknown[], build: () => unknown): Promise<number> => {
    await opts.pending;
    const hr = opts.hresult ?? 0;
    if (hr === 0) out[0] = resultStruct = build();
    return hr | 0; // koffi hands an HRESULT back as a signed int32
  };
  const free = (ptr: unknown) => {
    expect(ptr).toBe(resultStruct);
    rec.freed++;
    heap.wipeAndFree();
    koffi.free(ptr);
  };
  const binding: WebAuthnDllBinding = {
    getApiVersionNumber: () => opts.apiVersion ?? 4,
    makeCredential(hwnd, rp, user, params, cd, options, out) {
      rec.hwnd = hwnd;
      rec.rpId = rp.pwszId;
      // koffi's marshalling of the options, read back at webauthn.h's offsets
      const mem: unknown = koffi.alloc(MAKE_CREDENTIAL_OPTIONS, 1);
      koffi.encode(mem, MAKE_CREDENTIAL_OPTIONS, options);
      rec.rawOptions = Buffer.from(koffi.view(mem, koffi.sizeof(MAKE_CREDENTIAL_OPTIONS)).slice(0));
      rec.options = koffi.decode(mem, MAKE_CREDENTIAL_OPTIONS) as Record<string, unknown>;
      koffi.free(mem);
      rec.clientDataJSON = Buffer.from(cd.pbClientDataJSON);
      expect(params.pCredentialParameters.map((p) => p.lAlg)).toEqual([-7]);
      expect(user.pwszName).toBe('ada@example.org');
      return finish(out, () => {
        const ad = authData(opts.withCredential ?? true);
        const attObj = Buffer.concat([Buffer.from([0xa3]), Buffer.from('fake-attestation-object')]);
        const ptr: unknown = koffi.alloc(CREDENTIAL_ATTESTATION_V1, 1);
        koffi.encode(ptr, CREDENTIAL_ATTESTATION_V1, {
          dwVersion: 8, // a newer struct: only its version-1 prefix is read
          pwszFormatType: 'packed',
          cbAuthenticatorData: ad.length,
          pbAuthenticatorData: heap.bytes(ad),
          cbAttestation: 0,
          pbAttestation: null,
          dwAttestationDecodeType: 0,
          pvAttestationDecode: null,
          cbAttestationObject: attObj.length,
          pbAttestationObject: heap.bytes(attObj),
          cbCredentialId: credId.length,
          pbCredentialId: heap.bytes(credId),
        });
        return ptr;
      });
    },
    getAssertion(hwnd, rpId, cd, options, out) {
      rec.hwnd = hwnd;
      rec.rpId = rpId;
      const mem: unknown = koffi.alloc(GET_ASSERTION_OPTIONS, 1);
      koffi.encode(mem, GET_ASSERTION_OPTIONS, options);
      rec.options = koffi.decode(mem, GET_ASSERTION_OPTIONS) as Record<string, unknown>;
      koffi.free(mem);
      rec.clientDataJSON = Buffer.from(cd.pbClientDataJSON);
      return finish(out, () => {
        const ad = authData(false);
        const ptr: unknown = koffi.alloc(ASSERTION_V1, 1);
        koffi.encode(ptr, ASSERTION_V1, {
          dwVersion: 6,
          cbAuthenticatorData: ad.length,
          pbAuthenticatorData: heap.bytes(ad),
          cbSignature: 3,
          pbSignature: heap.bytes(Buffer.from([0x30, 0x01, 0x00])),
          Credential: { dwVersion: 1, cbId: credId.length, pbId: heap.bytes(credId), pwszCredentialType: 'public-key' },
          cbUserId: 2,
          pbUserId: heap.bytes(Buffer.from([9, 9])),
        });
        return ptr;
      });
    },
    freeCredentialAttestation: free,
    freeAssertion: free,
    getCancellationId: () => 0,
    cancelCurrentOperation: () => {
      rec.cancelled++;
      return 0;
    },
  };
  return { binding, rec };
}

const makeRequest = {
  clientDataJSON: Buffer.from('{"type":"webauthn.create","challenge":"AAEC","origin":"https://login.microsoft.com","crossOrigin":false}'),
  rp: { id: RP_ID, name: 'Microsoft' },
  user: { id: Buffer.from('user-handle'), name: 'ada@example.org', displayName: 'Ada Lovelace' },
  algorithms: [-7],
  excludeList: [{ id: Buffer.from([1, 2, 3]) }, { id: Buffer.from([4, 5]) }],
  residentKey: true,
};

describe('makeCredential through the DLL', () => {
  it('asks for a resident, PIN-verified credential on a security key, excluding the person’s keys', async () => {
    const { binding, rec } = fakeBinding();
    await new WebAuthnDll(binding).makeCredential(0x1234n, makeRequest);
    const raw = rec.rawOptions ?? Buffer.alloc(96);
    expect(raw.readUInt32LE(0)).toBe(4); // API 4 → MAKE_CREDENTIAL_OPTIONS v4
    expect(raw.readUInt32LE(4)).toBe(60_000);
    expect(raw.readUInt32LE(8)).toBe(2); // CredentialList.cCredentials
    expect(raw.readUInt32LE(40)).toBe(2); // CROSS_PLATFORM
    expect(raw.readInt32LE(44)).toBe(1); // bRequireResidentKey
    expect(raw.readUInt32LE(48)).toBe(1); // UV REQUIRED
    expect(raw.readUInt32LE(52)).toBe(3); // DIRECT
    expect(raw.readBigUInt64LE(64)).not.toBe(0n); // pCancellationId
    expect(raw.readBigUInt64LE(72)).toBe(0n); // pExcludeCredentialList: the legacy list is used
    expect(raw.readInt32LE(88)).toBe(1); // bPreferResidentKey
    const list = rec.options?.['CredentialList'] as { pCredentials: unknown };
    const creds = koffi.decode(list.pCredentials, koffi.struct({ dwVersion: 'uint32_t', cbId: 'uint32_t', pbId: 'void *', t: 'str16' }), 2) as {
      cbId: number;
      pbId: unknown;
      t: string;
    }[];
    expect(creds.map((c) => [...Buffer.from(koffi.view(c.pbId, c.cbId))])).toEqual([
      [1, 2, 3],
      [4, 5],
    ]);
    expect(creds[0]?.t).toBe('public-key');
    expect(rec.clientDataJSON?.equals(makeRequest.clientDataJSON)).toBe(true); // the exact bytes Graph gets
    expect(rec.hwnd).toBe(0x1234n);
  });

  it('sends options v3 to Windows builds before API 3', async () => {
    const { binding, rec } = fakeBinding({ apiVersion: 2 });
    await new WebAuthnDll(binding).makeCredential(0n, makeRequest);
    expect(rec.rawOptions?.readUInt32LE(0)).toBe(3);
  });

  it('decodes the attestation in the CTAP client’s shape, copied before the DLL frees it', async () => {
    const { binding, rec } = fakeBinding();
    const made = await new WebAuthnDll(binding).makeCredential(0n, makeRequest);
    expect(rec.freed).toBe(1); // freed (and wiped) already: what we hold are copies
    expect(made.fmt).toBe('packed');
    expect(Buffer.from(made.credentialId).equals(credId)).toBe(true);
    expect(Buffer.from(made.attestationObject).toString('latin1')).toContain('fake-attestation-object');
    expect(made.authData.attested?.aaguid).toBe('aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa');
    expect(Buffer.from(made.authData.rpIdHash).equals(createHash('sha256').update(RP_ID).digest())).toBe(true);
    expect(made.authData.flags & 0x04).toBe(0x04); // UV
  });

  it('refuses an attestation whose authenticator data holds no credential, and still frees it', async () => {
    const { binding, rec } = fakeBinding({ withCredential: false });
    await expect(new WebAuthnDll(binding).makeCredential(0n, makeRequest)).rejects.toBeInstanceOf(WebAuthnDllResultError);
    expect(rec.freed).toBe(1);
  });

  it.each([
    [WebAuthnHresult.NteUserCancelled, 'cancelled'],
    [WebAuthnHresult.Win32Timeout, 'cancelled'],
    [WebAuthnHresult.NteExists, 'already-registered'],
    [WebAuthnHresult.NteNotFound, 'not-allowed'],
    [WebAuthnHresult.NteTokenKeysetStorageFull, 'key-full'],
    [0x80004005, 'protocol'],
  ] as const)('HRESULT 0x%s becomes a typed error (%s)', async (hresult, remedy) => {
    const { binding, rec } = fakeBinding({ hresult });
    const error = await new WebAuthnDll(binding).makeCredential(0n, makeRequest).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WebAuthnDllError);
    expect((error as WebAuthnDllError).remedy).toBe(remedy);
    expect((error as WebAuthnDllError).hresult).toBe(hresult >>> 0);
    expect(rec.freed).toBe(0);
  });

  it('cancels the pending Windows dialog when the station aborts', async () => {
    let release = () => undefined as void;
    const pending = new Promise<void>((r) => (release = r));
    const { binding, rec } = fakeBinding({ pending, hresult: WebAuthnHresult.NteUserCancelled });
    const ac = new AbortController();
    const call = new WebAuthnDll(binding).makeCredential(0n, makeRequest, ac.signal);
    ac.abort(new Error('operator cancelled'));
    release();
    await expect(call).rejects.toThrow('operator cancelled');
    expect(rec.cancelled).toBe(1);
  });

  it('refuses Windows without the versioned API (before 1903)', () => {
    expect(() => new WebAuthnDll(fakeBinding({ apiVersion: 0 }).binding)).toThrow(/1903/);
  });
});

describe('getAssertion through the DLL (the proof)', () => {
  it('asks the new credential only, PIN-verified, and decodes signature, credential and user id', async () => {
    const { binding, rec } = fakeBinding();
    const json = Buffer.from('{"type":"webauthn.get"}');
    const proof = await new WebAuthnDll(binding).getAssertion(0n, { rpId: RP_ID, clientDataJSON: json, allowList: [{ id: credId }] });
    expect(rec.rpId).toBe(RP_ID);
    expect(rec.options?.['dwVersion']).toBe(4);
    expect(rec.options?.['dwUserVerificationRequirement']).toBe(1);
    expect(rec.options?.['dwAuthenticatorAttachment']).toBe(2);
    expect((rec.options?.['CredentialList'] as { cCredentials: number }).cCredentials).toBe(1);
    expect(rec.clientDataJSON?.equals(json)).toBe(true);
    expect(rec.freed).toBe(1);
    expect(Buffer.from(proof.credentialId).equals(credId)).toBe(true);
    expect([...proof.signature]).toEqual([0x30, 0x01, 0x00]);
    expect([...(proof.userId ?? [])]).toEqual([9, 9]);
    expect(proof.authData.signCount).toBe(7);
  });
});

describe('the window handle', () => {
  it('reads Electron’s getNativeWindowHandle() buffer as the HWND', () => {
    expect(hwndFromHandle(Buffer.from([0x34, 0x12, 0, 0, 0, 0, 0, 0]))).toBe(0x1234n);
    expect(hwndFromHandle(Buffer.from([0x78, 0x56, 0x34, 0x12]))).toBe(0x12345678n);
  });
});

describe('which way the station talks to the key', () => {
  it('uses webauthn.dll only on Windows when the HID open was refused', () => {
    expect(keyPathFor('win32', 'access-denied')).toBe('webauthn-dll');
    expect(keyPathFor('win32', null)).toBe('hid');
    expect(keyPathFor('win32', 'device-gone')).toBe('hid');
    expect(keyPathFor('linux', 'access-denied')).toBe('hid');
    expect(keyPathFor('darwin', 'access-denied')).toBe('hid');
  });
});
