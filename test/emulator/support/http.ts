// For conformance tests: HTTPS requests that trust only the emulator's own CA (Node 20's global fetch cannot
// take a CA), and a URL builder that percent-encodes query values the way a Graph client does.
import https from 'node:https';
import http from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import type { Emulator } from '../server';

export interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  text: string;
  /** The body parsed as JSON (throws if it is not JSON). */
  json<T = any>(): T;
}

export interface HttpOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** PEM to trust; defaults to none (plain http URLs need none). */
  ca?: string;
  timeoutMs?: number;
}

export function httpRequest(url: string, options: HttpOptions = {}): Promise<HttpResponse> {
  const u = new URL(url);
  const client = u.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.request(
      u,
      {
        method: options.method ?? 'GET',
        headers: { ...(options.body !== undefined ? { 'content-length': String(Buffer.byteLength(options.body)) } : {}), ...options.headers },
        ...(options.ca && u.protocol === 'https:' ? { ca: options.ca } : {}),
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const body = Buffer.concat(chunks);
          const text = body.toString('utf8');
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text, json: () => JSON.parse(text) });
        });
      },
    );
    req.setTimeout(options.timeoutMs ?? 15_000, () => req.destroy(new Error(`timeout after ${options.timeoutMs ?? 15_000} ms: ${url}`)));
    req.on('error', reject);
    if (options.body !== undefined) req.write(options.body);
    req.end();
  });
}

/** `path` is appended to the Graph base as written; `query` values are percent-encoded (keys kept as `$filter`). */
export function graphUrl(emu: Emulator, path: string, query: Record<string, string> = {}, version: 'v1.0' | 'beta' = 'v1.0'): string {
  const base = version === 'beta' ? emu.urls.graphBeta : emu.urls.graph;
  const qs = Object.entries(query)
    .map(([k, v]) => `${k}=${encodeURIComponent(v)}`)
    .join('&');
  return `${base}${path}${qs ? `?${qs}` : ''}`;
}

/** A Graph GET with a bearer token (omit it to send none). */
export function graphGet(
  emu: Emulator,
  token: string | undefined,
  path: string,
  query: Record<string, string> = {},
  headers: Record<string, string> = {},
  version: 'v1.0' | 'beta' = 'v1.0',
): Promise<HttpResponse> {
  return httpRequest(graphUrl(emu, path, query, version), {
    ca: emu.caPem,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
  });
}
