import { describe, expect, it } from 'vitest';
import { BROADCAST_CID, CtapHidCommand, CtapHidErrorCode, KeepaliveStatus, MAX_MESSAGE_SIZE } from '../../../main/keys/hid/constants';
import { MessageAssembler, decodeReports, encodeOutputReports, encodePackets, packetCount, parsePacket } from '../../../main/keys/hid/framing';
import { capabilityNames, parseInitResponse } from '../../../main/keys/hid/payloads';
import { hex, loadCaptures, toHex } from './helpers';

const CID = 0x11223344;
const payloadOf = (n: number, seed = 7): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff);

describe('encoding', () => {
  it('writes a getInfo request exactly as on the wire, with report ID 0x00 first', () => {
    const [report, ...rest] = encodeOutputReports(CID, CtapHidCommand.Cbor, Uint8Array.of(0x04));
    expect(rest).toHaveLength(0);
    expect(report).toHaveLength(65);
    expect(toHex(report!.subarray(0, 9))).toBe('00112233449000010' + '4');
    expect(report!.subarray(9).every((b) => b === 0)).toBe(true);
  });

  it('splits at the 57/59-byte boundaries and stops at 7609 bytes', () => {
    expect(encodePackets(CID, 1, payloadOf(0))).toHaveLength(1);
    expect(encodePackets(CID, 1, payloadOf(57))).toHaveLength(1);
    expect(encodePackets(CID, 1, payloadOf(58))).toHaveLength(2);
    expect(encodePackets(CID, 1, payloadOf(57 + 59))).toHaveLength(2);
    expect(encodePackets(CID, 1, payloadOf(57 + 59 + 1))).toHaveLength(3);
    const max = encodePackets(CID, 1, payloadOf(MAX_MESSAGE_SIZE));
    expect(max).toHaveLength(129);
    expect(max[128]![4]).toBe(0x7f);
    expect(packetCount(MAX_MESSAGE_SIZE)).toBe(129);
    expect(() => encodePackets(CID, 1, payloadOf(MAX_MESSAGE_SIZE + 1))).toThrow(RangeError);
  });

  it('refuses values that cannot be framed', () => {
    expect(() => encodePackets(-1, 1, payloadOf(1))).toThrow(RangeError);
    expect(() => encodePackets(2 ** 32, 1, payloadOf(1))).toThrow(RangeError);
    expect(() => encodePackets(CID, 0x80, payloadOf(1))).toThrow(RangeError);
    expect(() => encodePackets(CID, 1, payloadOf(1), { padByte: 256 })).toThrow(RangeError);
  });

  it('round-trips every boundary length, whatever the padding byte', () => {
    for (const n of [0, 1, 56, 57, 58, 115, 116, 117, 1024, 7608, 7609]) {
      for (const padByte of [0x00, 0xee, 0xff]) {
        const payload = payloadOf(n, n);
        const [message] = decodeReports(encodePackets(CID, CtapHidCommand.Cbor, payload, { padByte }), { cid: CID });
        expect(message?.cmd).toBe(CtapHidCommand.Cbor);
        expect(toHex(message!.payload)).toBe(toHex(payload));
      }
    }
  });
});

describe('reassembly', () => {
  const assemble = (cid: number) => new MessageAssembler({ cid });

  it('ignores other channels, stray continuations and short reports without losing the message', () => {
    const a = assemble(CID);
    const [p0, p1] = encodePackets(CID, CtapHidCommand.Ping, payloadOf(100));
    const other = encodePackets(0x99, CtapHidCommand.Ping, payloadOf(100));
    expect(a.push(other[0]!)).toEqual({ kind: 'ignored', reason: 'other-channel', cid: 0x99 });
    expect(a.push(p1!)).toEqual({ kind: 'ignored', reason: 'stray-continuation', cid: CID });
    expect(a.push(new Uint8Array(10))).toEqual({ kind: 'ignored', reason: 'short-report' });
    expect(a.push(p0!).kind).toBe('pending');
    expect(a.push(other[1]!).kind).toBe('ignored');
    const done = a.push(p1!);
    expect(done.kind === 'message' && toHex(done.message.payload)).toBe(toHex(payloadOf(100)));
    expect(a.inProgress).toBe(false);
  });

  it('reports a sequence gap, a duplicate continuation and a new command mid-message as errors', () => {
    const packets = encodePackets(CID, CtapHidCommand.Cbor, payloadOf(300));
    const gap = assemble(CID);
    gap.push(packets[0]!);
    expect(gap.push(packets[2]!)).toMatchObject({ kind: 'error', hidError: CtapHidErrorCode.InvalidSeq });
    expect(gap.inProgress).toBe(false);

    const dup = assemble(CID);
    dup.push(packets[0]!);
    dup.push(packets[1]!);
    expect(dup.push(packets[1]!)).toMatchObject({ kind: 'error', hidError: CtapHidErrorCode.InvalidSeq });

    const interrupted = assemble(CID);
    interrupted.push(packets[0]!);
    expect(interrupted.push(encodePackets(CID, CtapHidCommand.Ping, payloadOf(3))[0]!)).toMatchObject({ kind: 'error' });
  });

  it('lets CTAPHID_INIT resynchronise a channel mid-message when configured (device side)', () => {
    const a = new MessageAssembler({ resyncCommand: CtapHidCommand.Init });
    a.push(encodePackets(CID, CtapHidCommand.Cbor, payloadOf(300))[0]!);
    const r = a.push(encodePackets(CID, CtapHidCommand.Init, payloadOf(8))[0]!);
    expect(r.kind === 'message' && r.message.cmd).toBe(CtapHidCommand.Init);
  });

  it('rejects a declared length above 7609 without allocating it', () => {
    const a = assemble(CID);
    const packet = encodePackets(CID, CtapHidCommand.Cbor, payloadOf(10))[0]!;
    packet[5] = 0xff;
    packet[6] = 0xff;
    expect(a.push(packet)).toMatchObject({ kind: 'error', hidError: CtapHidErrorCode.InvalidLen });
    expect(a.bufferedBytes).toBe(0);
  });

  it('takes only BCNT bytes: 0xEE padding never leaks into the payload', () => {
    const payload = payloadOf(60);
    const [message] = decodeReports(encodePackets(CID, CtapHidCommand.Cbor, payload, { padByte: 0xee }), { cid: CID });
    expect(message!.payload).toHaveLength(60);
    expect(toHex(message!.payload)).toBe(toHex(payload));
  });

  it('accepts reports longer than 64 bytes (extra bytes ignored)', () => {
    const packet = encodePackets(CID, CtapHidCommand.Ping, payloadOf(5))[0]!;
    const long = new Uint8Array(70).fill(0xaa);
    long.set(packet);
    const r = assemble(CID).push(long);
    expect(r.kind === 'message' && toHex(r.message.payload)).toBe(toHex(payloadOf(5)));
  });

  it('decodeReports refuses a capture that ends mid-message', () => {
    expect(() => decodeReports(encodePackets(CID, 1, payloadOf(100)).slice(0, 1))).toThrow(/middle/);
  });
});

describe('real wire captures', () => {
  const captures = loadCaptures();

  const inits = captures.filter((c) => c.kind === 'init');
  it('has the INIT captures this suite is meant to check', () => {
    expect(inits.length).toBeGreaterThanOrEqual(6);
  });

  it.each(inits.map((c) => [c.device, c] as const))('INIT response parses: %s', (_name, capture) => {
    const [message] = decodeReports([hex(capture.hex)], { cid: BROADCAST_CID });
    expect(message?.cmd).toBe(CtapHidCommand.Init);
    const d = capture.decoded as {
      bcnt: number;
      nonce: string;
      new_cid: string;
      ctaphid_version: number;
      device_version: string;
      capabilities: string;
      cap_flags: string[];
    };
    expect(message!.payload).toHaveLength(d.bcnt);
    const init = parseInitResponse(message!.payload);
    expect(toHex(init.nonce)).toBe(d.nonce);
    expect(init.cid.toString(16).padStart(8, '0')).toBe(d.new_cid);
    expect(init.protocolVersion).toBe(d.ctaphid_version);
    expect(`${init.deviceVersion.major}.${init.deviceVersion.minor}.${init.deviceVersion.build}`).toBe(d.device_version);
    expect(init.capabilities).toBe(Number(d.capabilities));
    expect(capabilityNames(init.capabilities)).toEqual(d.cap_flags);
  });

  const framed = captures.filter((c) => c.frames_hex);
  it.each(framed.map((c) => [c.device, c] as const))('multi-packet CBOR response reassembles: %s', (_name, capture) => {
    const reports = capture.frames_hex!.map(hex);
    const cid = parsePacket(reports[0]!)!.cid;
    const [message, ...rest] = decodeReports(reports, { cid });
    expect(rest).toHaveLength(0);
    expect(message!.cmd).toBe(CtapHidCommand.Cbor);
    expect(toHex(message!.payload)).toBe(capture.hex);
    expect(message!.payload[0]).toBe(Number(capture.status_byte));
  });

  it('KEEPALIVE captures carry PROCESSING and UPNEEDED', () => {
    const statuses = captures
      .filter((c) => c.kind === 'keepalive')
      .map((c) => {
        const [m] = decodeReports([hex(c.hex)]);
        expect(m!.cmd).toBe(CtapHidCommand.Keepalive);
        return m!.payload[0];
      });
    expect(statuses.sort()).toEqual([KeepaliveStatus.Processing, KeepaliveStatus.UpNeeded]);
  });

  it('the ERROR capture is CTAPHID_ERROR INVALID_CMD', () => {
    const [m] = decodeReports(captures.filter((c) => c.kind === 'error').map((c) => hex(c.hex)));
    expect(m!.cmd).toBe(CtapHidCommand.Error);
    expect(m!.payload).toEqual(Uint8Array.of(CtapHidErrorCode.InvalidCmd));
  });
});
