/**
 * Property-based fuzzing of CTAPHID framing and reassembly (fast-check). Well over 100 000 generated
 * inputs in total (checked at the end), each cheap, so the file runs in a few seconds. Properties:
 * nothing throws, nothing hangs, memory held by the assembler never exceeds one maximal message, and
 * what comes out is exactly what went in whenever the frames were valid.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { BROADCAST_CID, HID_REPORT_SIZE, MAX_MESSAGE_SIZE } from '../../../main/keys/hid/constants';
import { ProtocolError } from '../../../main/keys/hid/errors';
import { MessageAssembler, encodePackets, packetCount, parsePacket } from '../../../main/keys/hid/framing';
import { parseInitResponse } from '../../../main/keys/hid/payloads';

const CID = 0x0a0b0c0d;
let totalRuns = 0;
const counted =
  <A extends unknown[]>(predicate: (...args: A) => boolean) =>
  (...args: A): boolean => {
    totalRuns++;
    return predicate(...args);
  };

/** Deterministic bytes from a seed: cheaper than generating every byte through fast-check. */
function bytes(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed | 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

// Mostly short messages (cheap, and where the boundaries are), plus boundary and full-range sizes.
const payloadLength = fc.oneof(
  { arbitrary: fc.integer({ min: 0, max: 130 }), weight: 4 },
  { arbitrary: fc.constantFrom(56, 57, 58, 115, 116, 117, 7550, 7551, 7608, 7609), weight: 1 },
  { arbitrary: fc.integer({ min: 0, max: MAX_MESSAGE_SIZE }), weight: 1 },
);

const equal = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && Buffer.compare(a, b) === 0;

describe('CTAPHID framing fuzz', () => {
  afterAll(() => {
    // The issue asks for at least 100 000 generated inputs in CI.
    expect(totalRuns).toBeGreaterThanOrEqual(100_000);
  });

  it('encode then reassemble returns the message, whatever the padding and interleaved traffic', () => {
    fc.assert(
      fc.property(
        fc.record({
          cid: fc.integer({ min: 1, max: 0xfffffffe }),
          cmd: fc.integer({ min: 0, max: 0x7f }),
          length: payloadLength,
          seed: fc.integer(),
          padByte: fc.integer({ min: 0, max: 255 }),
          noiseEvery: fc.integer({ min: 0, max: 4 }),
        }),
        counted(({ cid, cmd, length, seed, padByte, noiseEvery }) => {
          const payload = bytes(length, seed);
          const packets = encodePackets(cid, cmd, payload, { padByte });
          if (packets.length !== packetCount(length)) return false;
          const assembler = new MessageAssembler({ cid });
          const noise = encodePackets((cid ^ 0x80000001) >>> 0, 1, bytes(200, seed + 1));
          const results = [];
          for (let i = 0; i < packets.length; i++) {
            if (noiseEvery && i % noiseEvery === 0) results.push(assembler.push(noise[i % noise.length]!));
            results.push(assembler.push(packets[i]!));
          }
          const messages = results.filter((r) => r.kind === 'message');
          const last = messages[0];
          return (
            messages.length === 1 &&
            results.at(-1)?.kind === 'message' &&
            last?.kind === 'message' &&
            last.message.cid === cid &&
            last.message.cmd === cmd &&
            equal(last.message.payload, payload)
          );
        }),
      ),
      { numRuns: 30_000 },
    );
  });

  /** A report built to look plausible: mostly our channel, sometimes others, random BCNT/SEQ and data. */
  const report = fc
    .record({
      cid: fc.oneof(fc.constant(CID), fc.constant(BROADCAST_CID), fc.integer({ min: 0, max: 0xffffffff })),
      init: fc.boolean(),
      cmd: fc.integer({ min: 0, max: 0x7f }),
      bcnt: fc.oneof(fc.integer({ min: 0, max: 200 }), fc.integer({ min: 0, max: 0xffff })),
      seq: fc.oneof(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 0x7f })),
      length: fc.oneof(fc.constant(HID_REPORT_SIZE), fc.integer({ min: 0, max: 80 })),
      seed: fc.integer(),
    })
    .map(({ cid, init, cmd, bcnt, seq, length, seed }) => {
      const r = bytes(length, seed);
      const header = [cid >>> 24, (cid >>> 16) & 0xff, (cid >>> 8) & 0xff, cid & 0xff];
      header.push(init ? 0x80 | cmd : seq);
      if (init) header.push(bcnt >>> 8, bcnt & 0xff);
      r.set(header.slice(0, length));
      return r;
    });

  it('arbitrary report streams never throw, and memory stays bounded by one maximal message', () => {
    fc.assert(
      fc.property(
        fc.array(report, { maxLength: 24 }),
        counted((reports) => {
          const assembler = new MessageAssembler({ cid: CID });
          for (const r of reports) {
            const result = assembler.push(r);
            if (assembler.bufferedBytes > MAX_MESSAGE_SIZE) return false;
            if (result.kind === 'message') {
              if (result.message.cid !== CID || result.message.payload.length > MAX_MESSAGE_SIZE) return false;
              if (result.message.cmd > 0x7f) return false;
            }
            if (result.kind === 'error' && result.cid !== CID) return false;
          }
          return true;
        }),
      ),
      { numRuns: 50_000 },
    );
  });

  type Mutation =
    | { kind: 'none' }
    | { kind: 'pad'; seed: number }
    | { kind: 'drop' | 'duplicate'; index: number }
    | { kind: 'swap'; a: number; b: number }
    | { kind: 'flip'; index: number; offset: number; xor: number }
    | { kind: 'truncate'; index: number; length: number };

  const mutation: fc.Arbitrary<Mutation> = fc.oneof(
    fc.constant<Mutation>({ kind: 'none' }),
    fc.integer().map((seed): Mutation => ({ kind: 'pad', seed })),
    fc.record({ kind: fc.constantFrom('drop' as const, 'duplicate' as const), index: fc.nat() }),
    fc.record({ kind: fc.constant('swap' as const), a: fc.nat(), b: fc.nat() }),
    fc.record({ kind: fc.constant('flip' as const), index: fc.nat(), offset: fc.integer({ min: 0, max: 63 }), xor: fc.integer({ min: 1, max: 255 }) }),
    fc.record({ kind: fc.constant('truncate' as const), index: fc.nat(), length: fc.integer({ min: 0, max: 63 }) }),
  );

  it('mutated frames give the original message, a clean error, or nothing; padding changes never matter', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1500 }),
        fc.integer(),
        mutation,
        counted((length, seed, m) => {
          const payload = bytes(length, seed);
          const packets = encodePackets(CID, 0x10, payload);
          const n = packets.length;
          let stream = packets.map((p) => p.slice());
          switch (m.kind) {
            case 'pad': {
              // Rewrite every byte after the payload's end in the last packet: must not change the result.
              const last = stream[n - 1]!;
              const used = n === 1 ? 7 + length : 5 + (length - 57 - (n - 2) * 59);
              last.set(bytes(HID_REPORT_SIZE - used, m.seed), used);
              break;
            }
            case 'drop':
              stream.splice(m.index % n, 1);
              break;
            case 'duplicate':
              stream.splice(m.index % n, 0, stream[m.index % n]!);
              break;
            case 'swap': {
              const [a, b] = [m.a % n, m.b % n];
              [stream[a], stream[b]] = [stream[b]!, stream[a]!];
              break;
            }
            case 'flip': {
              const target = stream[m.index % n]!;
              target[m.offset] = (target[m.offset] ?? 0) ^ m.xor;
              break;
            }
            case 'truncate':
              stream = stream.map((p, i) => (i === m.index % n ? p.slice(0, m.length) : p));
              break;
          }
          const assembler = new MessageAssembler({ cid: CID });
          const messages = [];
          for (const r of stream) {
            const result = assembler.push(r);
            if (assembler.bufferedBytes > MAX_MESSAGE_SIZE) return false;
            if (result.kind === 'message') messages.push(result.message);
          }
          if (m.kind === 'none' || m.kind === 'pad') return messages.length === 1 && equal(messages[0]!.payload, payload);
          // Every message that does come out is at most what BCNT allows and only from our channel.
          return messages.every((msg) => msg.cid === CID && msg.payload.length <= MAX_MESSAGE_SIZE) && messages.length <= 2;
        }),
      ),
      { numRuns: 30_000 },
    );
  });

  it('random INIT response payloads parse or throw ProtocolError, never anything else', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 40 }),
        fc.integer(),
        counted((length, seed) => {
          const payload = bytes(length, seed);
          try {
            const init = parseInitResponse(payload);
            return length >= 17 && init.cid !== 0 && init.cid !== BROADCAST_CID && init.capabilities === payload[16];
          } catch (e) {
            return e instanceof ProtocolError;
          }
        }),
      ),
      { numRuns: 10_000 },
    );
  });

  it('parsePacket classifies any byte string without throwing', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 70 }),
        fc.integer(),
        counted((length, seed) => {
          const packet = parsePacket(bytes(length, seed));
          if (length < HID_REPORT_SIZE) return packet === undefined;
          return packet !== undefined && packet.data.length === (packet.kind === 'init' ? 57 : 59);
        }),
      ),
      { numRuns: 5_000 },
    );
  });
});
