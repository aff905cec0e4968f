// No source file in common/, main/, preload/ or renderer/src/ is over 450 lines (issue 9, "What must be shown";
// docs/architecture.md, Style): a file that grows past it is split along a seam, not trimmed. The guard walks the
// folders itself; it is shown to fail on files planted in a temporary tree and to pass on the tree as it is.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const MAX_LINES = 450;
const FOLDERS = ['common', 'main', 'preload', 'renderer/src'];
const SOURCE = /\.tsx?$/;

/** Lines as `wc -l` counts them, plus a last line without its newline. */
function lineCount(text: string): number {
  if (text === '') return 0;
  return text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
}

/** Every .ts/.tsx file under the four folders of `root` with more than MAX_LINES lines, as "path: n lines". */
function oversized(root: string): string[] {
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile() && SOURCE.test(entry.name)) {
        const lines = lineCount(readFileSync(path, 'utf8'));
        if (lines > MAX_LINES) found.push(`${relative(root, path).split(sep).join('/')}: ${lines} lines`);
      }
    }
  };
  for (const folder of FOLDERS) {
    const dir = join(root, folder);
    if (existsSync(dir)) walk(dir);
  }
  return found.sort();
}

describe(`no source file in ${FOLDERS.join('/, ')}/ over ${MAX_LINES} lines`, () => {
  let root = '';
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'file-size-'));
  });
  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
  });
  const plant = (path: string, lines: number, { finalNewline = true } = {}): void => {
    const file = join(root, path);
    mkdirSync(dirname(file), { recursive: true });
    const body = Array.from({ length: lines }, (_, i) => `export const line${i} = ${i};`).join('\n');
    writeFileSync(file, finalNewline && lines > 0 ? `${body}\n` : body);
  };

  it('reports a planted file of 451 lines in each folder, nested or not, .ts and .tsx', () => {
    plant('common/codes.ts', 451);
    plant('main/directory/gateway.ts', 451);
    plant('preload/index.ts', 600);
    plant('renderer/src/screens/Handover.tsx', 451);
    expect(oversized(root)).toEqual([
      'common/codes.ts: 451 lines',
      'main/directory/gateway.ts: 451 lines',
      'preload/index.ts: 600 lines',
      'renderer/src/screens/Handover.tsx: 451 lines',
    ]);
  });

  it('counts a last line without its newline', () => {
    plant('main/keys/watcher.ts', 451, { finalNewline: false });
    expect(oversized(root)).toEqual(['main/keys/watcher.ts: 451 lines']);
  });

  it('allows exactly 450 lines, other file types, and folders outside the four', () => {
    plant('main/tap/issuer.ts', 450);
    plant('main/keys/aaguid-overrides.json', 1000);
    plant('renderer/vite.config.ts', 1000);
    plant('test/emulator/graph/users.ts', 1000);
    plant('bench/run.ts', 1000);
    expect(oversized(root)).toEqual([]);
  });

  it('passes on the tree', () => {
    expect(oversized(process.cwd())).toEqual([]);
  });
});
