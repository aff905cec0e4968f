/**
 * The one leak scan of the test suites (vitest and the Playwright e2e support): every pass the emulator issued
 * during the suite (`Emulator.issuedPasses()`, from the emulator, not from the screen) searched for in every file
 * written since the suite started under the given roots (the station's and the harness's folders, `os.tmpdir()`
 * and the working directory), raw and in each encoded form (main/audit/redaction.ts `encodedForms`: base64 and
 * base64url at each alignment, hex, percent-encoded, UTF-16LE; each also as UTF-8 and JSON-escaped).
 */
import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodedForms } from '../../main/audit/redaction';

export interface LeakHit {
  file: string;
  encoding: string;
}

export interface LeakScan {
  files: number;
  hits: LeakHit[];
}

/** Folders never written by a suite, or too large to read (dependencies, git objects). */
const SKIP = new Set(['node_modules', '.git']);

/** The roots every scan covers: the working directory and the OS temp folder, plus the suite's own folders. */
export function leakRoots(extra: readonly string[] = []): string[] {
  return [...new Set([...extra, tmpdir(), process.cwd()])];
}

function* filesUnder(dir: string, sinceMs: number, seen: Set<string>): Generator<string> {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return; // gone, or not ours to read (another user's temp folder)
  }
  for (const name of names) {
    if (SKIP.has(name)) continue;
    const path = join(dir, name);
    if (seen.has(path)) continue;
    seen.add(path);
    let stat;
    try {
      stat = lstatSync(path);
    } catch {
      continue;
    }
    if (stat.isSymbolicLink()) continue;
    if (stat.isDirectory()) yield* filesUnder(path, sinceMs, seen);
    else if (stat.isFile() && stat.mtimeMs >= sinceMs && stat.size <= 64 * 1024 * 1024) yield path;
  }
}

/** The byte patterns of one pass: each encoded form as UTF-8 and JSON-escaped, UTF-16LE as its bytes. */
export function leakPatterns(pass: string): { encoding: string; bytes: Buffer }[] {
  const out: { encoding: string; bytes: Buffer }[] = [];
  for (const form of encodedForms(pass)) {
    const bytes = form.encoding === 'utf16le' ? Buffer.from(form.text, 'latin1') : Buffer.from(form.text, 'utf8');
    out.push({ encoding: form.encoding, bytes });
    const escaped = JSON.stringify(form.text).slice(1, -1);
    if (escaped !== form.text) out.push({ encoding: `${form.encoding}+json`, bytes: Buffer.from(escaped, 'utf8') });
  }
  return out;
}

/** Every file written at or after `sinceMs` under `roots` that holds any pass in any form. */
export function scanForPasses(passes: Iterable<string>, roots: readonly string[], sinceMs: number): LeakScan {
  const patterns = [...new Set(passes)].filter((p) => p.length > 0).flatMap(leakPatterns);
  const seen = new Set<string>();
  const hits: LeakHit[] = [];
  let files = 0;
  for (const root of roots) {
    for (const file of filesUnder(root, sinceMs, seen)) {
      files += 1;
      let body: Buffer;
      try {
        body = readFileSync(file);
      } catch {
        continue;
      }
      for (const p of patterns) {
        if (body.includes(p.bytes)) {
          hits.push({ file, encoding: p.encoding });
          break;
        }
      }
    }
  }
  return { files, hits };
}

/** For an `expect(...).toEqual([])` message: where each pass was found, and how encoded (never the pass). */
export const describeHits = (hits: readonly LeakHit[]) => hits.map((h) => `${h.file} (${h.encoding})`).join('\n');
