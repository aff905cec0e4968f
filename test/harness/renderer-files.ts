// The built renderer (out/renderer/ from `electron-vite build`), served as the app protocol serves it, plus the
// harness's bridge shim. Builds it when it is missing.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { APP_CSP } from '../../main/kiosk/navigation-policy';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const DEFAULT_RENDERER_DIR = join(REPO_ROOT, 'out', 'renderer');
export const SHIM_PATH = '/__harness/bridge.js';
export const SOCKET_PATH = '/__harness/ws';
const SHIM_FILE = fileURLToPath(new URL('./bridge-shim.js', import.meta.url));

/** Runs `npx electron-vite build` when `dir` has no index.html (or `force`). */
export function ensureRendererBuilt(dir = DEFAULT_RENDERER_DIR, options: { force?: boolean } = {}): void {
  if (!options.force && existsSync(join(dir, 'index.html'))) return;
  const result = spawnSync('npx', ['electron-vite', 'build'], { cwd: REPO_ROOT, stdio: 'inherit', env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1' } });
  if (result.status !== 0 || !existsSync(join(dir, 'index.html'))) throw new Error(`the renderer could not be built (electron-vite build exited ${String(result.status)})`);
}

/** The app's CSP (main/kiosk/navigation-policy.ts), with the harness's loopback WebSocket as the one extra connection. */
export function harnessCsp(origin: string): string {
  const ws = origin.replace(/^http/, 'ws');
  return APP_CSP.split('; ')
    .map((d) => (d.startsWith('connect-src ') ? `connect-src 'self' ${ws}${SOCKET_PATH}` : d))
    .join('; ');
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.map': 'application/json',
};

export interface ServedFile {
  status: number;
  type: string;
  body: Buffer | string;
}

/** The file for a request path, or 404. index.html gets the shim as its first script. */
export async function rendererFile(dir: string, pathname: string): Promise<ServedFile> {
  if (pathname === SHIM_PATH) return { status: 200, type: TYPES['.js']!, body: await readFile(SHIM_FILE) };
  const notFound: ServedFile = { status: 404, type: 'text/plain; charset=utf-8', body: 'not found' };
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return notFound;
  }
  const relative = decoded === '/' ? 'index.html' : normalize(decoded).replace(/^[/\\]+/, '');
  const root = resolve(dir);
  const file = resolve(root, relative);
  if (!file.startsWith(root + sep) || decoded.includes('\0')) return notFound;
  let body: Buffer;
  try {
    body = await readFile(file);
  } catch {
    return notFound;
  }
  const type = TYPES[extname(file)] ?? 'application/octet-stream';
  if (relative === 'index.html') {
    // A classic script in <head> runs before the renderer's module script: window.kiosk exists when the app starts.
    const html = body.toString('utf8').replace(/<head>/i, `<head>\n    <script src="${SHIM_PATH}"></script>`);
    return { status: 200, type, body: html };
  }
  return { status: 200, type, body };
}
