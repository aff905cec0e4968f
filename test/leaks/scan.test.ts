// The leak scan and the journal's redaction guard can fail: a pass planted in each encoded form, at each byte
// alignment inside a longer blob, in a file under os.tmpdir() or the working directory, is found; the guard refuses
// a journal line carrying it. The encoders here are Node's own (Buffer, encodeURIComponent), not the scan's.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RedactionGuard } from '../../main/audit';
import { leakRoots, scanForPasses } from './scan';

const PASS = 'Zq7+kW2m/x$9!T';
const started = Date.now() - 1000;
const folder = mkdtempSync(join(tmpdir(), 'tap-kiosk-leak-plant-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

/** The pass inside a longer blob: `k` bytes before it, some after, then encoded as a whole. */
const blob = (k: number) => Buffer.concat([Buffer.from('xyz'.slice(0, k)), Buffer.from(PASS), Buffer.from('-tail')]);
const plants: [string, Buffer][] = [
  ['raw', Buffer.from(`log line ${PASS} end`)],
  ['JSON-escaped', Buffer.from(JSON.stringify({ note: `a"${PASS}` }))],
  ...[0, 1, 2].flatMap((k): [string, Buffer][] => [
    [`base64 at offset ${k}`, Buffer.from(`data=${blob(k).toString('base64')};`)],
    [`base64url at offset ${k}`, Buffer.from(`t=${blob(k).toString('base64url')}&`)],
  ]),
  ['hex', Buffer.from(`dump ${Buffer.from(PASS).toString('hex')}`)],
  ['HEX', Buffer.from(`DUMP ${Buffer.from(PASS).toString('hex').toUpperCase()}`)],
  ['percent-encoded', Buffer.from(`https://x.example/?p=${encodeURIComponent(PASS)}`)],
  ['percent-encoded, lower-case hex', Buffer.from(`?p=${encodeURIComponent(PASS).replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase())}`)],
  ['UTF-16LE', Buffer.concat([Buffer.from('\ufeff', 'utf16le'), Buffer.from(`pass: ${PASS}`, 'utf16le')])],
];

describe('the leak scan', () => {
  it.each(plants)('finds the pass planted %s in a file under os.tmpdir()', (_form, bytes) => {
    const file = join(folder, `plant-${Math.random().toString(36).slice(2)}.bin`);
    writeFileSync(file, bytes);
    try {
      const scan = scanForPasses([PASS], [folder], started);
      expect(scan.hits.map((h) => h.file)).toEqual([file]);
    } finally {
      rmSync(file);
    }
  });

  it('finds a pass written raw into the working directory, through the default roots', () => {
    const file = join(process.cwd(), `.leak-plant-${process.pid}.tmp`);
    writeFileSync(file, `x${PASS}x`);
    try {
      expect(scanForPasses([PASS], leakRoots(), started).hits.map((h) => h.file)).toContain(file);
    } finally {
      rmSync(file);
    }
  });

  it('finds nothing where nothing was planted, and ignores files older than the suite', () => {
    writeFileSync(join(folder, 'clean.txt'), 'nothing to see');
    expect(scanForPasses([PASS], [folder], started)).toEqual({ files: 1, hits: [] });
    writeFileSync(join(folder, 'planted-later.txt'), PASS);
    expect(scanForPasses([PASS], [folder], Date.now() + 60_000).hits).toEqual([]);
    rmSync(join(folder, 'planted-later.txt'));
  });
});

describe("the journal's redaction guard", () => {
  it.each(plants)('refuses a line carrying the pass %s', (_form, bytes) => {
    const guard = new RedactionGuard();
    guard.forbid(PASS);
    // A journal line is text: the planted bytes as the line would hold them (UTF-8, or the UTF-16LE bytes as latin1).
    const text = _form === 'UTF-16LE' ? bytes.toString('latin1') : bytes.toString('utf8');
    expect(guard.contains(JSON.stringify({ detail: text }))).toBe(true);
    expect(guard.contains(text)).toBe(true);
  });

  it('lets an ordinary line through', () => {
    const guard = new RedactionGuard();
    guard.forbid(PASS);
    expect(guard.contains(JSON.stringify({ type: 'tap.issued', tapMethodId: crypto.randomUUID(), requestId: crypto.randomUUID() }))).toBe(false);
  });
});
