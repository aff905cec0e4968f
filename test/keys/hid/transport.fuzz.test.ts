/**
 * Property-based test of the whole transport against the software authenticator: random message sizes,
 * padding bytes, garbage between replies and CHANNEL_BUSY bursts must never change what the caller gets.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Ctap2Status, MAX_MESSAGE_SIZE } from '../../../main/keys/hid/constants';
import { CtapHidChannel } from '../../../main/keys/hid/transport';
import { SoftAuthenticator } from '../../authenticator/soft-authenticator';

describe('transport fuzz', () => {
  it('PING and CBOR round-trip under random padding, garbage and busy bursts', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          length: fc.oneof(fc.integer({ min: 1, max: 200 }), fc.integer({ min: 1, max: MAX_MESSAGE_SIZE })),
          fill: fc.integer({ min: 0, max: 255 }),
          padByte: fc.integer({ min: 0, max: 255 }),
          garbage: fc.integer({ min: 0, max: 6 }),
          busy: fc.integer({ min: 0, max: 2 }),
          seed: fc.integer({ min: 1, max: 1 << 30 }),
        }),
        async ({ length, fill, padByte, garbage, busy, seed }) => {
          const device = new SoftAuthenticator({
            seed,
            core: { handleCbor: (r) => Uint8Array.of(Ctap2Status.Success, ...r.subarray(1)) },
            faults: { padByte, garbageBeforeReplies: garbage, busyRequests: busy },
          });
          try {
            const channel = await CtapHidChannel.open(device, { timeoutMs: 500, readSliceMs: 20, busyBackoffMs: 1 });
            const data = new Uint8Array(length).fill(fill);
            expect(await channel.ping(data)).toEqual(data);
            expect(await channel.cborOk(data)).toEqual(data.subarray(1));
          } finally {
            await device.close();
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('transport fuzz: faults end in the right typed error, never a hang', () => {
  type Fault = 'none' | 'bad-seq' | 'oversize' | 'unplug-reject' | 'unplug-silent' | 'busy-forever';
  const expected: Record<Fault, string | undefined> = {
    none: undefined,
    'bad-seq': 'PROTOCOL',
    oversize: 'PROTOCOL',
    'unplug-reject': 'DEVICE_GONE',
    'unplug-silent': 'DEVICE_GONE',
    'busy-forever': 'CHANNEL_BUSY',
  };

  it('each fault maps to its error code', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom<Fault>('none', 'bad-seq', 'oversize', 'unplug-reject', 'unplug-silent', 'busy-forever'),
        fc.integer({ min: 60, max: 3000 }),
        fc.integer({ min: 0, max: 3 }),
        fc.integer({ min: 0, max: 255 }),
        async (fault, length, afterReports, padByte) => {
          const device = new SoftAuthenticator({
            core: { handleCbor: (r) => Uint8Array.of(Ctap2Status.Success, ...r.subarray(1)) },
            faults: { padByte },
          });
          try {
            const channel = await CtapHidChannel.open(device, { timeoutMs: 60, readSliceMs: 10, busyBackoffMs: 1, busyRetries: 2 });
            if (fault === 'bad-seq' || fault === 'oversize') device.faults.garbleReplies = fault;
            if (fault === 'unplug-reject' || fault === 'unplug-silent') {
              device.faults.disconnect = { afterReports, mode: fault === 'unplug-reject' ? 'reject' : 'silent' };
            }
            if (fault === 'busy-forever') device.faults.busyRequests = 1000;
            const outcome = await channel.cborOk(new Uint8Array(length).fill(1)).then(
              (body) => (body.length === length - 1 ? undefined : 'WRONG_LENGTH'),
              (e: unknown) => (e as { code?: string }).code ?? String(e),
            );
            expect(outcome).toBe(expected[fault]);
          } finally {
            await device.close();
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});
