/**
 * CTAPHID framing: a message (channel, command, payload of up to 7609 bytes) travels as one
 * initialization packet and up to 128 continuation packets of 64 bytes each.
 *
 *   init:  CID(4, big-endian) | CMD(1, bit 7 set) | BCNT(2, big-endian) | DATA(57)
 *   cont:  CID(4)             | SEQ(1, 0..0x7f)                          | DATA(59)
 *
 * Unused bytes are padding whose value is NOT assumed (some keys pad with 0xEE): only BCNT decides how
 * much is payload. The assembler is incremental and allocates at most one message buffer of
 * `maxMessageSize` bytes at a time, whatever it is fed.
 */
import {
  CONT_PACKET_DATA_SIZE,
  CtapHidErrorCode,
  HID_REPORT_SIZE,
  INIT_PACKET_DATA_SIZE,
  MAX_MESSAGE_SIZE,
  MAX_SEQ,
  OUTPUT_REPORT_ID,
  TYPE_INIT,
} from './constants';

/** One complete CTAPHID message. `cmd` is the command without the TYPE_INIT bit. */
export interface CtapHidMessage {
  cid: number;
  cmd: number;
  payload: Uint8Array;
}

/** A decoded 64-byte packet. `data` is the whole data area, padding included. */
export type CtapHidPacket =
  { kind: 'init'; cid: number; cmd: number; bcnt: number; data: Uint8Array } | { kind: 'cont'; cid: number; seq: number; data: Uint8Array };

export interface EncodeOptions {
  /** Byte used for unused packet space (default 0x00). Receivers must not depend on it. */
  padByte?: number;
  /** Refuse payloads above this size (default and upper bound: 7609). */
  maxMessageSize?: number;
}

/** Number of packets a payload of `length` bytes needs (at least one). */
export function packetCount(length: number): number {
  if (length <= INIT_PACKET_DATA_SIZE) return 1;
  return 1 + Math.ceil((length - INIT_PACKET_DATA_SIZE) / CONT_PACKET_DATA_SIZE);
}

function assertByte(value: number, what: string): void {
  if (!Number.isInteger(value) || value < 0 || value > 0xff) throw new RangeError(`${what} must be a byte, got ${value}`);
}

/**
 * Split a message into 64-byte CTAPHID packets (no report ID).
 * @throws RangeError for a CID outside 32 bits, a command outside 0..0x7f or a payload above 7609 bytes
 */
export function encodePackets(cid: number, cmd: number, payload: Uint8Array, options: EncodeOptions = {}): Uint8Array[] {
  const padByte = options.padByte ?? 0x00;
  const max = Math.min(options.maxMessageSize ?? MAX_MESSAGE_SIZE, MAX_MESSAGE_SIZE);
  if (!Number.isInteger(cid) || cid < 0 || cid > 0xffffffff) throw new RangeError(`CID must be a 32-bit unsigned integer, got ${cid}`);
  if (!Number.isInteger(cmd) || cmd < 0 || cmd > 0x7f) throw new RangeError(`command must be 0..0x7f, got ${cmd}`);
  assertByte(padByte, 'padByte');
  if (payload.length > max) throw new RangeError(`payload of ${payload.length} bytes exceeds the ${max}-byte CTAPHID maximum`);

  const packets: Uint8Array[] = [];
  const init = new Uint8Array(HID_REPORT_SIZE).fill(padByte);
  writeCid(init, cid);
  init[4] = TYPE_INIT | cmd;
  init[5] = payload.length >>> 8;
  init[6] = payload.length & 0xff;
  let offset = Math.min(INIT_PACKET_DATA_SIZE, payload.length);
  init.set(payload.subarray(0, offset), 7);
  packets.push(init);
  for (let seq = 0; offset < payload.length; seq++) {
    const cont = new Uint8Array(HID_REPORT_SIZE).fill(padByte);
    writeCid(cont, cid);
    cont[4] = seq;
    const end = Math.min(offset + CONT_PACKET_DATA_SIZE, payload.length);
    cont.set(payload.subarray(offset, end), 5);
    offset = end;
    packets.push(cont);
  }
  return packets;
}

/** Prefix a 64-byte packet with report ID 0x00, as node-hid's `write` expects (65 bytes). */
export function toOutputReport(packet: Uint8Array): Buffer {
  const report = Buffer.alloc(packet.length + 1);
  report[0] = OUTPUT_REPORT_ID;
  report.set(packet, 1);
  return report;
}

/** `encodePackets` followed by `toOutputReport`: what the host writes to the device. */
export function encodeOutputReports(cid: number, cmd: number, payload: Uint8Array, options?: EncodeOptions): Buffer[] {
  return encodePackets(cid, cmd, payload, options).map(toOutputReport);
}

/** Decode one input report. Returns undefined for reports shorter than 64 bytes; extra bytes are ignored. */
export function parsePacket(report: Uint8Array): CtapHidPacket | undefined {
  if (report.length < HID_REPORT_SIZE) return undefined;
  const cid = readCid(report);
  const b4 = report[4] ?? 0;
  if (b4 & TYPE_INIT) {
    return {
      kind: 'init',
      cid,
      cmd: b4 & 0x7f,
      bcnt: ((report[5] ?? 0) << 8) | (report[6] ?? 0),
      data: report.subarray(7, HID_REPORT_SIZE),
    };
  }
  return { kind: 'cont', cid, seq: b4, data: report.subarray(5, HID_REPORT_SIZE) };
}

export function readCid(bytes: Uint8Array, offset = 0): number {
  return (((bytes[offset] ?? 0) << 24) | ((bytes[offset + 1] ?? 0) << 16) | ((bytes[offset + 2] ?? 0) << 8) | (bytes[offset + 3] ?? 0)) >>> 0;
}

export function writeCid(bytes: Uint8Array, cid: number, offset = 0): void {
  bytes[offset] = (cid >>> 24) & 0xff;
  bytes[offset + 1] = (cid >>> 16) & 0xff;
  bytes[offset + 2] = (cid >>> 8) & 0xff;
  bytes[offset + 3] = cid & 0xff;
}

/** Why a report did not contribute to a message. */
export type IgnoreReason =
  /** Shorter than a 64-byte report. */
  | 'short-report'
  /** For a channel the assembler does not listen to. */
  | 'other-channel'
  /** A packet from another channel while a message on the locked channel is being assembled. */
  | 'busy'
  /** A continuation packet with no message in progress on its channel. */
  | 'stray-continuation';

/** The outcome of feeding one report to a `MessageAssembler`. */
export type AssemblerResult =
  | { kind: 'message'; message: CtapHidMessage }
  | { kind: 'pending' }
  | { kind: 'ignored'; reason: IgnoreReason; cid?: number }
  /**
   * Frames on an accepted channel that break the framing: a sequence gap, a length above the maximum,
   * or a new command in the middle of a message. The partial message is dropped; `hidError` is the
   * CTAPHID error a device would answer with.
   */
  | { kind: 'error'; cid: number; hidError: CtapHidErrorCode.InvalidSeq | CtapHidErrorCode.InvalidLen; detail: string };

export interface AssemblerOptions {
  /**
   * Which channels to accept: one CID (host side), a predicate, or undefined for any channel (device
   * side; then the assembler locks onto the channel of the message in progress).
   */
  cid?: number | ((cid: number) => boolean);
  /** Largest accepted BCNT (default and upper bound 7609). */
  maxMessageSize?: number;
  /**
   * Command that may restart a message in progress on the same channel (CTAPHID_INIT resynchronises a
   * channel). Any other init packet mid-message is an error.
   */
  resyncCommand?: number;
}

/**
 * Incremental reassembly of 64-byte input reports into CTAPHID messages. Memory is bounded: one buffer of
 * at most `maxMessageSize` bytes exists at a time, and every report is either consumed or rejected
 * immediately.
 */
export class MessageAssembler {
  private readonly accept: (cid: number) => boolean;
  private readonly maxMessageSize: number;
  private readonly resyncCommand: number | undefined;
  private current: { cid: number; cmd: number; buffer: Uint8Array; filled: number; nextSeq: number } | undefined;

  constructor(options: AssemblerOptions = {}) {
    const { cid } = options;
    this.accept = cid === undefined ? () => true : typeof cid === 'number' ? (c) => c === cid : cid;
    this.maxMessageSize = Math.min(options.maxMessageSize ?? MAX_MESSAGE_SIZE, MAX_MESSAGE_SIZE);
    this.resyncCommand = options.resyncCommand;
  }

  /** True while a message has started but not all continuation packets have arrived. */
  get inProgress(): boolean {
    return this.current !== undefined;
  }

  /** Channel of the message in progress, if any. */
  get currentCid(): number | undefined {
    return this.current?.cid;
  }

  /** Bytes held for the message in progress (never above `maxMessageSize`). */
  get bufferedBytes(): number {
    return this.current?.buffer.length ?? 0;
  }

  /** Drop any message in progress. */
  reset(): void {
    this.current = undefined;
  }

  push(report: Uint8Array): AssemblerResult {
    const packet = parsePacket(report);
    if (!packet) return { kind: 'ignored', reason: 'short-report' };
    if (!this.accept(packet.cid)) return { kind: 'ignored', reason: 'other-channel', cid: packet.cid };
    const current = this.current;
    if (current && current.cid !== packet.cid) return { kind: 'ignored', reason: 'busy', cid: packet.cid };

    if (packet.kind === 'init') {
      if (current && packet.cmd !== this.resyncCommand) {
        this.current = undefined;
        return { kind: 'error', cid: packet.cid, hidError: CtapHidErrorCode.InvalidSeq, detail: 'new command before the previous message was complete' };
      }
      if (packet.bcnt > this.maxMessageSize) {
        this.current = undefined;
        return {
          kind: 'error',
          cid: packet.cid,
          hidError: CtapHidErrorCode.InvalidLen,
          detail: `declared length ${packet.bcnt} exceeds ${this.maxMessageSize}`,
        };
      }
      const take = Math.min(packet.bcnt, INIT_PACKET_DATA_SIZE);
      if (take === packet.bcnt) {
        this.current = undefined;
        // Copy into a plain Uint8Array: a Buffer's slice() would alias the caller's report.
        return { kind: 'message', message: { cid: packet.cid, cmd: packet.cmd, payload: new Uint8Array(packet.data.subarray(0, take)) } };
      }
      const buffer = new Uint8Array(packet.bcnt);
      buffer.set(packet.data.subarray(0, take));
      this.current = { cid: packet.cid, cmd: packet.cmd, buffer, filled: take, nextSeq: 0 };
      return { kind: 'pending' };
    }

    if (!current) return { kind: 'ignored', reason: 'stray-continuation', cid: packet.cid };
    if (packet.seq !== current.nextSeq || packet.seq > MAX_SEQ) {
      this.current = undefined;
      return { kind: 'error', cid: packet.cid, hidError: CtapHidErrorCode.InvalidSeq, detail: `expected continuation ${current.nextSeq}, got ${packet.seq}` };
    }
    const take = Math.min(current.buffer.length - current.filled, CONT_PACKET_DATA_SIZE);
    current.buffer.set(packet.data.subarray(0, take), current.filled);
    current.filled += take;
    current.nextSeq++;
    if (current.filled < current.buffer.length) return { kind: 'pending' };
    this.current = undefined;
    return { kind: 'message', message: { cid: current.cid, cmd: current.cmd, payload: current.buffer } };
  }
}

/**
 * Reassemble a complete list of reports (e.g. a capture) into the messages they contain.
 * @throws RangeError when the reports break the framing or end mid-message
 */
export function decodeReports(reports: readonly Uint8Array[], options?: AssemblerOptions): CtapHidMessage[] {
  const assembler = new MessageAssembler(options);
  const messages: CtapHidMessage[] = [];
  for (const report of reports) {
    const result = assembler.push(report);
    if (result.kind === 'message') messages.push(result.message);
    else if (result.kind === 'error') throw new RangeError(result.detail);
  }
  if (assembler.inProgress) throw new RangeError('reports end in the middle of a message');
  return messages;
}
