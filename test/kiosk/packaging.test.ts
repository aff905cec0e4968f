// What goes into the installer, and what the build puts into main: checked without the Electron binary.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const yaml = require('js-yaml') as { load(text: string): unknown };
const { validateConfiguration } = require('app-builder-lib/out/util/config/config.js') as {
  validateConfiguration(config: unknown, logger: unknown): Promise<void>;
};
const { DebugLogger } = require('builder-util') as { DebugLogger: new () => unknown };

interface BuilderConfig {
  files: string[];
  asarUnpack: string[];
  afterPack: string;
  extraResources: { from: string; to: string }[];
  nsis: { perMachine: boolean };
  win: { target: { target: string }[] };
  linux: { target: string[]; executableName: string };
}
const config = yaml.load(readFileSync('electron-builder.yml', 'utf8')) as BuilderConfig;

describe('electron-builder.yml', () => {
  it("is valid against electron-builder's own schema", async () => {
    await expect(validateConfiguration(config, new DebugLogger())).resolves.toBeUndefined();
  });

  it('builds a per-machine NSIS installer for Windows and an AppImage and a deb for Linux', () => {
    expect(config.win.target.map((t) => t.target)).toEqual(['nsis']);
    expect(config.nsis.perMachine).toBe(true);
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
  });

  it('packages only the built app, never tests, the emulator, benchmarks, scripts, sources or maps', () => {
    const includes = config.files.filter((f) => !f.startsWith('!'));
    expect(includes).toEqual(['out/**', 'package.json']);
    for (const excluded of ['!test/**', '!bench/**', '!scripts/**', '!**/*.ts', '!**/*.map', '!out/**/*.map']) {
      expect(config.files).toContain(excluded);
    }
  });

  it('unpacks the native HID and USB modules from app.asar', () => {
    expect(config.asarUnpack).toEqual(expect.arrayContaining(['**/node_modules/node-hid/**', '**/node_modules/usb/**', '**/*.node']));
  });

  it('sets the fuses after packing, with a hook that exists, and ships the sample configuration', () => {
    expect(config.afterPack).toBe('./build/after-pack.mjs');
    expect(existsSync(config.afterPack)).toBe(true);
    expect(config.extraResources).toContainEqual({ from: 'config/sample-config.json', to: 'config/sample-config.json' });
    expect(existsSync('config/sample-config.json')).toBe(true);
  });
});

describe('npx electron-vite build', () => {
  const out = mkdtempSync(join(tmpdir(), 'tap-kiosk-build-'));
  beforeAll(async () => {
    await promisify(execFile)(process.execPath, [join(process.cwd(), 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build', '--outDir', out], {
      env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1' },
    });
  }, 180_000);
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('builds main, preload and renderer', () => {
    expect(existsSync(join(out, 'main', 'index.js'))).toBe(true);
    expect(existsSync(join(out, 'preload', 'index.js'))).toBe(true);
    expect(existsSync(join(out, 'renderer', 'index.html'))).toBe(true);
  });

  it('keeps the Entra emulator out of the main bundle: it is loaded at run time, from source, in demo only', () => {
    const main = readdirSync(join(out, 'main'))
      .filter((f) => f.endsWith('.js'))
      .map((f) => readFileSync(join(out, 'main', f), 'utf8'))
      .join('\n');
    for (const emulatorCode of ['registerMySignIns', 'registerIdp', 'registerGraph', 'fastify', 'injectFault']) {
      expect(main).not.toContain(emulatorCode);
    }
    expect(main).toContain('tsImport');
  });

  it('builds the preload as CommonJS, as a sandboxed preload must be', () => {
    const preload = readFileSync(join(out, 'preload', 'index.js'), 'utf8');
    expect(preload).toMatch(/require\("electron"\)/);
    expect(preload).not.toMatch(/^\s*import\s/m);
    expect(preload).not.toMatch(/^\s*export\s/m);
  });
});
