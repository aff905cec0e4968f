/**
 * Windows' webauthn.dll, as the station's PlatformAuthenticator (main/provision/platform-flow.ts) sees it, standing
 * in front of the software authenticator (Fido2Core, over the real CTAPHID transport). Its "dialog" is the test: it
 * supplies the PIN the test chose (and sets it first on a key without one, as Windows' dialog has the person
 * choose one), or cancels. What Windows answers is an HRESULT, as webauthn.h names them:
 *
 *   dialog cancelled or closed     NTE_USER_CANCELLED   (webauthn.h: NotAllowedError)
 *   credential excluded            NTE_EXISTS           (InvalidStateError)
 *   key full                       NTE_TOKEN_KEYSET_STORAGE_FULL
 *   no touch in time               ERROR_TIMEOUT
 *   any other CTAP status          NTE_INVALID_PARAMETER
 *
 * [INF] Windows shows a wrong PIN inside its own dialog and lets the person retry there; what it returns once the
 * person gives up is a cancel. The stand-in does not model the retries: the test's PIN is right or the dialog is
 * cancelled.
 */
import { createHash } from 'node:crypto';
import { ClientPin, PinPermission, encodePin } from '../../main/keys/ctap2/client-pin';
import { getAssertion } from '../../main/keys/ctap2/get-assertion';
import { makeCredential } from '../../main/keys/ctap2/make-credential';
import { choosePinProtocol } from '../../main/keys/ctap2/pin-protocol';
import { Ctap2Error, Ctap2Status } from '../../main/keys/ctap2/status';
import { WebAuthnDllError, WebAuthnHresult } from '../../main/keys/webauthn-dll/hresult';
import type { DllGetAssertionRequest, DllMakeCredentialRequest } from '../../main/keys/webauthn-dll/call';
import type { DllAssertion, DllCredential } from '../../main/keys/webauthn-dll/results';
import type { PlatformAuthenticator } from '../../main/provision/platform-flow';
import { openSoftKey, type SoftKey } from '../keys/ctap2/soft-fido2';
import type { Fido2Core, Fido2CoreOptions } from './fido2-core';

export type DialogKind = 'create' | 'get';
/** What the person does in Windows' dialog: the PIN and a touch, or Cancel. */
export type DialogAnswer = { pin: string } | 'cancel';

export interface FakeWindowsOptions {
  /**
   * The person at each dialog: answers at once, or when the test (or the harness's page) says. `signal` aborts when
   * the station cancels the dialog (WebAuthNCancelCurrentOperation): it is closed then, and its answer unread.
   */
  dialog: (kind: DialogKind, signal?: AbortSignal) => DialogAnswer | Promise<DialogAnswer>;
  /** Changes what the key made before the station sees it (a tampered attestation). */
  tamperCredential?: (made: DllCredential) => DllCredential;
  /** Changes the proof's assertion before the station sees it. */
  tamperAssertion?: (a: DllAssertion) => DllAssertion;
}

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest();

const HRESULT_OF: Partial<Record<number, WebAuthnHresult>> = {
  [Ctap2Status.CredentialExcluded]: WebAuthnHresult.NteExists,
  [Ctap2Status.KeyStoreFull]: WebAuthnHresult.NteTokenKeysetStorageFull,
  [Ctap2Status.UserActionTimeout]: WebAuthnHresult.Win32Timeout,
  [Ctap2Status.OperationDenied]: WebAuthnHresult.NteUserCancelled,
  [Ctap2Status.NoCredentials]: WebAuthnHresult.NteNotFound,
};

function asHresult(e: unknown): never {
  if (e instanceof Ctap2Error) throw new WebAuthnDllError(HRESULT_OF[e.status] ?? WebAuthnHresult.NteInvalidParameter);
  throw e;
}

export class FakeWindowsWebAuthn implements PlatformAuthenticator {
  /** Every dialog Windows showed, oldest first. */
  readonly dialogs: DialogKind[] = [];
  /** Every PIN the dialog was given (for the leak scans). */
  readonly pinsTyped: string[] = [];
  private constructor(
    readonly key: SoftKey,
    private readonly options: FakeWindowsOptions,
  ) {}

  /** In front of a new software key (its options) or an existing key state (the harness's desk key). */
  static async open(core: Fido2CoreOptions | Fido2Core, options: FakeWindowsOptions): Promise<FakeWindowsWebAuthn> {
    return new FakeWindowsWebAuthn(await openSoftKey(core), options);
  }

  close(): Promise<void> {
    return this.key.close();
  }

  /** The dialog: cancelled, or a PIN token for `permission` (a PIN set first on a key without one). */
  private async dialog(kind: DialogKind, rpId: string, permission: PinPermission, signal?: AbortSignal) {
    signal?.throwIfAborted();
    this.dialogs.push(kind);
    // The station cancels (WebAuthNCancelCurrentOperation on abort): the dialog closes, unanswered.
    const closed = new Promise<never>((_, reject) =>
      signal?.addEventListener('abort', () => reject(new WebAuthnDllError(WebAuthnHresult.NteUserCancelled)), { once: true }),
    );
    closed.catch(() => undefined);
    const answer = await Promise.race([this.options.dialog(kind, signal), closed]);
    signal?.throwIfAborted();
    if (answer === 'cancel') throw new WebAuthnDllError(WebAuthnHresult.NteUserCancelled);
    this.pinsTyped.push(answer.pin);
    const info = await this.key.info();
    const cp = new ClientPin(this.key.session, choosePinProtocol(info.pinUvAuthProtocols));
    if (info.options['clientPin'] === false) await cp.setPin(encodePin(answer.pin)).catch(asHresult);
    const token = info.options['pinUvAuthToken']
      ? await cp.getPinUvAuthTokenUsingPin(encodePin(answer.pin), permission, rpId).catch(asHresult)
      : await cp.getPinToken(encodePin(answer.pin)).catch(asHresult);
    return token;
  }

  async makeCredential(req: DllMakeCredentialRequest, signal?: AbortSignal): Promise<DllCredential> {
    const token = await this.dialog('create', req.rp.id, PinPermission.MakeCredential, signal);
    try {
      const made = await makeCredential(this.key.session, {
        clientDataHash: sha256(req.clientDataJSON),
        rp: req.rp,
        user: req.user,
        algorithms: [...req.algorithms],
        excludeList: [...req.excludeList],
        residentKey: req.residentKey,
        token,
      }).catch(asHresult);
      const out: DllCredential = {
        fmt: made.fmt,
        authDataBytes: made.authDataBytes,
        authData: made.authData,
        credentialId: made.credentialId,
        attestationObject: made.attestationObject,
      };
      return this.options.tamperCredential ? this.options.tamperCredential(out) : out;
    } finally {
      token.wipe();
    }
  }

  async getAssertion(req: DllGetAssertionRequest, signal?: AbortSignal): Promise<DllAssertion> {
    const token = await this.dialog('get', req.rpId, PinPermission.GetAssertion, signal);
    try {
      const a = await getAssertion(this.key.session, {
        rpId: req.rpId,
        clientDataHash: sha256(req.clientDataJSON),
        allowList: [...req.allowList],
        userPresence: true,
        token,
      }).catch(asHresult);
      const out: DllAssertion = {
        credentialId: a.credentialId,
        authDataBytes: a.authDataBytes,
        authData: a.authData,
        signature: a.signature,
        userId: a.userId,
      };
      return this.options.tamperAssertion ? this.options.tamperAssertion(out) : out;
    } finally {
      token.wipe();
    }
  }
}
