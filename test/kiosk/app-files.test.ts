import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appRequestPath, resolveAppFile } from '../../main/kiosk/app-files';

let base: string;
let root: string;

beforeAll(() => {
  base = mkdtempSync(join(tmpdir(), 'tap-kiosk-app-files-'));
  root = join(base, 'renderer');
  mkdirSync(join(root, 'assets'), { recursive: true });
  writeFileSync(join(root, 'index.html'), '<!doctype html>');
  writeFileSync(join(root, 'assets', 'index-abc.js'), 'export {}');
  writeFileSync(join(base, 'secret.txt'), 'outside the renderer');
  symlinkSync(join(base, 'secret.txt'), join(root, 'assets', 'escape.txt'));
});
afterAll(() => rmSync(base, { recursive: true, force: true }));

describe('the app protocol serves the built renderer', () => {
  it('index.html for the root, with its content type', async () => {
    expect(await resolveAppFile(root, 'app://kiosk/')).toMatchObject({ kind: 'file', path: join(root, 'index.html'), contentType: 'text/html; charset=utf-8' });
    expect(await resolveAppFile(root, 'app://kiosk/assets/index-abc.js?v=1')).toMatchObject({
      kind: 'file',
      contentType: 'text/javascript; charset=utf-8',
    });
  });

  it.each([
    'app://kiosk/%2e%2e/secret.txt',
    'app://kiosk/assets/%2E%2E/%2e%2e/secret.txt',
    'app://kiosk/..%2fsecret.txt',
    'app://kiosk/assets/..%5c..%5csecret.txt',
    'app://kiosk/%00index.html',
    'app://kiosk/assets/escape.txt',
    'app://kiosk/etc/passwd',
    'app://kiosk/assets',
    'app://kiosk/C:%5cWindows%5cwin.ini',
    'app://other/index.html',
    'https://kiosk/index.html',
    'app://kiosk/%E0%A4%A',
  ])('refuses %s', async (url) => {
    const file = await resolveAppFile(root, url);
    expect(file.kind).toBe('refused');
  });

  it('dot segments in the URL itself are resolved by URL parsing and cannot climb above the root', async () => {
    // WHATWG URL parsing already folds `/../`; what is left is looked up inside the root.
    expect(appRequestPath('app://kiosk/../../index.html')).toBe('index.html');
    expect((await resolveAppFile(root, 'app://kiosk/../../secret.txt')).kind).toBe('refused');
  });
});
