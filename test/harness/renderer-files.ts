// The built renderer (out/renderer/ from `electron-vite build`), served as the app protocol serves it, plus the
// harness's bridge shim. Builds it when it is missing.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { APP_CSP } from '../../main/kiosk/navigation-policy';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const DEFAULT_RENDERER_DIR = join(REPO_ROOT, 'out', 'renderer');
export const SHIM_PATH = '/__harness/bridge.js';
export const SOCKET_PATH = '/__harness/ws';
export const NOTICE_PATH = '/__harness/notice.js';
const SHIM_FILE = fileURLToPath(new URL('./bridge-shim.js', import.meta.url));

export const RENDERER_SOURCE = join(REPO_ROOT, 'renderer');

/** Newest modification time under `dir` (ms), skipping node_modules. */
function newest(dir: string): number {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules') continue;
    const path = join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return latest;
}

export type RebuildPolicy = 'if-missing' | 'if-stale' | 'always';

/**
 * The renderer as electron-vite builds it (same root, plugin and relative base), built with Vite's build API
 * into `dir` when it is missing, older than the sources (`if-stale`, the default), or always.
 */
export async function ensureRendererBuilt(dir = DEFAULT_RENDERER_DIR, policy: RebuildPolicy = 'if-stale'): Promise<void> {
  const index = join(dir, 'index.html');
  const missing = !existsSync(index);
  const stale = !missing && policy === 'if-stale' && existsSync(RENDERER_SOURCE) && newest(RENDERER_SOURCE) > statSync(index).mtimeMs;
  if (!missing && !stale && policy !== 'always') return;
  const [{ build }, { default: react }] = await Promise.all([import('vite'), import('@vitejs/plugin-react')]);
  // A production build, as the app ships: under a test runner NODE_ENV is `test`, and Vite would then keep
  // `import.meta.env.DEV` true and bundle the dev-only fake bridge.
  const nodeEnv = process.env['NODE_ENV'];
  process.env['NODE_ENV'] = 'production';
  try {
    await build({
      configFile: false,
      mode: 'production',
      root: RENDERER_SOURCE,
      base: './',
      plugins: [react()],
      logLevel: 'warn',
      build: { outDir: dir, emptyOutDir: true, minify: true, chunkSizeWarningLimit: 4096, rollupOptions: { input: join(RENDERER_SOURCE, 'index.html') } },
    });
  } finally {
    if (nodeEnv === undefined) delete process.env['NODE_ENV'];
    else process.env['NODE_ENV'] = nodeEnv;
  }
  if (!existsSync(index)) throw new Error(`the renderer build wrote no ${index}`);
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

/**
 * The harness's note above the kiosk (a script: the page's CSP allows only same-origin scripts, and styles set
 * through the DOM). Outside the renderer's root: the kiosk itself is unchanged.
 */
function noticeScript(text: string): string {
  return `document.addEventListener('DOMContentLoaded', () => {
  if (!${JSON.stringify(text)}) return;
  const note = document.createElement('aside');
  note.setAttribute('aria-label', 'Demo');
  note.textContent = ${JSON.stringify(text)};
  Object.assign(note.style, { whiteSpace: 'pre-line', font: '16px/1.4 system-ui, sans-serif', padding: '8px 16px', background: '#fff4ce', color: '#242424', borderBottom: '1px solid #8a5a00' });
  document.body.prepend(note);
});
`;
}

/** The file for a request path, or 404. index.html gets the shim as its first script. */
export async function rendererFile(dir: string, pathname: string, notice: string | null = null): Promise<ServedFile> {
  if (pathname === SHIM_PATH) return { status: 200, type: TYPES['.js']!, body: await readFile(SHIM_FILE) };
  if (pathname === NOTICE_PATH) return { status: 200, type: TYPES['.js']!, body: noticeScript(notice ?? '') };
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
    const scripts = [SHIM_PATH, ...(notice ? [NOTICE_PATH] : [])].map((src) => `\n    <script src="${src}"></script>`).join('');
    const html = body.toString('utf8').replace(/<head>/i, `<head>${scripts}`);
    return { status: 200, type, body: html };
  }
  return { status: 200, type, body };
}
