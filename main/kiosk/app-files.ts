/**
 * Which file of the built renderer an `app://kiosk/...` request names. Pure path logic plus one `realpath`,
 * no `electron` import, tested in plain Node; app-protocol.ts serves what this returns.
 *
 * Refused (404, never "the nearest file"): another host, `..` in any spelling (`%2e%2e`, `%2f`, backslashes),
 * NUL bytes, absolute paths, and anything whose real path (after symlinks) leaves the renderer folder.
 */
import { realpath, stat } from 'node:fs/promises';
import { extname, isAbsolute, relative, resolve, sep } from 'node:path';
import { APP_HOST, APP_SCHEME } from './navigation-policy';

export type AppFile = { kind: 'file'; path: string; contentType: string } | { kind: 'refused'; status: 400 | 404; reason: string };

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.txt': 'text/plain; charset=utf-8',
};

const refused = (status: 400 | 404, reason: string): AppFile => ({ kind: 'refused', status, reason });

/** The relative path inside the renderer folder a request URL names, or a refusal. No file system access. */
export function appRequestPath(requestUrl: string): string | AppFile {
  if (!URL.canParse(requestUrl)) return refused(400, 'not a URL');
  const url = new URL(requestUrl);
  if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST) return refused(404, 'not this app');
  let pathname: string;
  try {
    pathname = decodeURIComponent(url.pathname);
  } catch {
    return refused(400, 'malformed percent-encoding');
  }
  if (pathname.includes('\0')) return refused(400, 'NUL in path');
  if (pathname.includes('\\')) return refused(404, 'backslash in path');
  const segments = pathname.split('/').filter((s) => s !== '');
  if (segments.some((s) => s === '..' || s === '.')) return refused(404, 'dot segment in path');
  if (segments.length === 0) return 'index.html';
  const joined = segments.join('/');
  if (isAbsolute(joined) || /^[A-Za-z]:/.test(joined)) return refused(404, 'absolute path');
  return joined;
}

/** Resolves a request to a file inside `rootDir` (the built renderer), following symlinks only inside it. */
export async function resolveAppFile(rootDir: string, requestUrl: string): Promise<AppFile> {
  const rel = appRequestPath(requestUrl);
  if (typeof rel !== 'string') return rel;
  let root: string;
  let real: string;
  try {
    root = await realpath(rootDir);
    real = await realpath(resolve(root, rel));
  } catch {
    return refused(404, 'no such file');
  }
  const inside = relative(root, real);
  if (inside === '' || inside.startsWith(`..${sep}`) || inside === '..' || isAbsolute(inside)) {
    return refused(404, 'outside the renderer folder');
  }
  try {
    if (!(await stat(real)).isFile()) return refused(404, 'not a file');
  } catch {
    return refused(404, 'no such file');
  }
  return { kind: 'file', path: real, contentType: CONTENT_TYPES[extname(real).toLowerCase()] ?? 'application/octet-stream' };
}
