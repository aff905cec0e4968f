/** Shared helpers for the CTAPHID tests: fixture loading and a scripted HID device. */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { HidDevice } from '../../../main/keys/hid/device';

export interface WireCapture {
  source: string;
  device: string;
  kind: 'getInfo' | 'init' | 'keepalive' | 'error' | 'hidReportDescriptor';
  hex: string;
  frames_hex?: string[];
  status_byte?: string;
  decoded?: Record<string, unknown>;
  note?: string;
}

const here = dirname(fileURLToPath(import.meta.url));
const CANDIDATES = [process.env.CTAP_WIRE_CAPTURES, resolve(here, '../../fixtures/ctap-wire-captures.json')].filter((p): p is string => typeof p === 'string');

/** The real wire captures (see test/fixtures/README.md). Fails loudly when they cannot be found. */
export function loadCaptures(): WireCapture[] {
  const path = CANDIDATES.find((p) => existsSync(p));
  if (!path) throw new Error(`ctap-wire-captures.json not found; looked in ${CANDIDATES.join(', ')}`);
  return JSON.parse(readFileSync(path, 'utf8')) as WireCapture[];
}

export const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'hex'));
export const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/**
 * A HID device driven by a script: every written report (65 bytes) is passed to `respond`, which returns
 * the 64-byte reports the device then offers to `read`.
 */
export class ScriptedDevice implements HidDevice {
  readonly written: Buffer[] = [];
  private readonly outbox: Buffer[] = [];
  closed = false;
  constructor(private readonly respond: (report: Buffer, index: number) => Uint8Array[]) {}

  async write(report: number[] | Buffer): Promise<number> {
    const b = Buffer.from(report);
    this.written.push(b);
    for (const r of this.respond(b, this.written.length - 1)) this.outbox.push(Buffer.from(r));
    return b.length;
  }

  async read(timeoutMs?: number): Promise<Buffer | undefined> {
    const next = this.outbox.shift();
    if (next) return next;
    await new Promise((r) => setTimeout(r, Math.min(timeoutMs ?? 5, 5)));
    return this.outbox.shift();
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}
