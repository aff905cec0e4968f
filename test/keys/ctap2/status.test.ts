/** Every CTAP2 status the spec defines reaches the caller as a typed Ctap2Error; UPNEEDED becomes one "touch" call. */
import { describe, expect, it } from 'vitest';
import { Ctap2Session, type Ctap2Transport } from '../../../main/keys/ctap2/session';
import { Ctap2Error, Ctap2Status, KeepaliveStatus, remedyOf } from '../../../main/keys/ctap2/status';

function transport(answer: number[], keepalives: number[] = []): Ctap2Transport {
  return {
    cbor: async (_req, opts) => {
      for (const k of keepalives) opts?.onKeepalive?.(k);
      return Uint8Array.from(answer);
    },
  };
}

const statuses = Object.values(Ctap2Status).filter((v): v is Ctap2Status => typeof v === 'number' && v !== Ctap2Status.Success);

describe('CTAP2 status → Ctap2Error', () => {
  it.each(statuses)('status 0x%s is typed', async (status) => {
    const e = await new Ctap2Session(transport([status])).call(0x06, new Map([[1, 2]])).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(Ctap2Error);
    const err = e as Ctap2Error;
    expect(err.status).toBe(status);
    expect(err.statusName).toBe(Ctap2Status[status]);
    expect(err.command).toBe(0x06);
    expect(err.remedy).toBe(remedyOf(status));
  });
  it('unknown and vendor statuses keep their byte and a hex name', async () => {
    for (const status of [0x10, 0xf0]) {
      const err = (await new Ctap2Session(transport([status])).call(0x01, undefined).catch((x: unknown) => x)) as Ctap2Error;
      expect(err.status).toBe(status);
      expect(err.statusName).toBe(`0x${status.toString(16)}`);
      expect(err.remedy).toBe('protocol');
    }
  });
  it('the screens get what to do for each case the issue names', () => {
    expect(remedyOf(Ctap2Status.PinInvalid)).toBe('retry-pin');
    expect(remedyOf(Ctap2Status.PinBlocked)).toBe('reset-key');
    expect(remedyOf(Ctap2Status.PinAuthBlocked)).toBe('replug');
    expect(remedyOf(Ctap2Status.PinPolicyViolation)).toBe('choose-other-pin');
    expect(remedyOf(Ctap2Status.CredentialExcluded)).toBe('already-registered');
    expect(remedyOf(Ctap2Status.KeyStoreFull)).toBe('key-full');
    expect(remedyOf(Ctap2Status.OperationDenied)).toBe('denied');
    expect(remedyOf(Ctap2Status.UserActionTimeout)).toBe('touch-timeout');
  });
  it('keepalive UPNEEDED calls onTouchNeeded once per request; PROCESSING does not', async () => {
    let touches = 0;
    await new Ctap2Session(transport([0], [KeepaliveStatus.Processing, KeepaliveStatus.UpNeeded, KeepaliveStatus.UpNeeded])).call(0x07, undefined, {
      onTouchNeeded: () => touches++,
    });
    expect(touches).toBe(1);
  });
});
