// Raw HTTPS calls to the emulator for the Graph conformance tests: exactly what a client sends and sees, with the
// emulator's CA trusted explicitly. Also the seeded people the authentication-method tests talk about.
import https from 'node:https';
import type { Emulator } from '../server';
import { accessTokenFor } from '../support/tokens';

export interface HttpResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  // Parsed JSON, or undefined for an empty or non-JSON body.
  body: any;
}

export interface CallOptions {
  token?: string;
  /** An object is sent as JSON with `Content-Type: application/json`; a string is sent as is. */
  body?: unknown;
  headers?: Record<string, string>;
}

export function call(emu: Emulator, method: string, path: string, options: CallOptions = {}): Promise<HttpResult> {
  const url = /^https:/.test(path) ? path : `${emu.urls.origin}${path.startsWith('/') ? '' : '/v1.0/'}${path}`;
  const headers: Record<string, string> = { ...(options.headers ?? {}) };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let payload: Buffer | undefined;
  if (options.body !== undefined) {
    if (typeof options.body === 'string' || Buffer.isBuffer(options.body)) payload = Buffer.from(options.body as string);
    else {
      payload = Buffer.from(JSON.stringify(options.body));
      if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
    }
    headers['content-length'] = String(payload.length);
  }
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method, headers, ca: emu.caPem, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body: unknown;
        try {
          body = text ? JSON.parse(text) : undefined;
        } catch {
          body = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, body });
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/** The seeded tenant, by what each person is for in these tests (seed/tenant.json). */
export const U = {
  /** Authentication Administrator. */
  alex: 'alex.wilber@tapkioskdemo.onmicrosoft.com',
  /** Privileged Authentication Administrator. */
  patti: 'patti.fernandez@tapkioskdemo.onmicrosoft.com',
  /** Authentication Policy Administrator. */
  lidia: 'lidia.holloway@tapkioskdemo.onmicrosoft.com',
  /** No role. */
  nestor: 'nestor.wilke@tapkioskdemo.onmicrosoft.com',
  /** Authentication Administrator through the role-assignable group "Kiosk Operators". */
  henrietta: 'henrietta.mueller@tapkioskdemo.onmicrosoft.com',
  /** Plain member. */
  megan: 'megan.bowen@tapkioskdemo.onmicrosoft.com',
  meganId: '00000000-0000-4000-8000-000000000010',
  /** Global Administrator. */
  adele: 'adele.vance@tapkioskdemo.onmicrosoft.com',
  /** Member of the role-assignable group "Helpdesk Tier 2". */
  grady: 'grady.archie@tapkioskdemo.onmicrosoft.com',
  /** External guest. */
  chris: 'chris.green_fabrikam.com#EXT#@tapkioskdemo.onmicrosoft.com',
  chrisId: '00000000-0000-4000-8000-000000000013',
  /** Disabled account. */
  diego: 'diego.siciliani@tapkioskdemo.onmicrosoft.com',
  /** In the group the TAP policy excludes. */
  isaiah: 'isaiah.langer@tapkioskdemo.onmicrosoft.com',
  /** Already has a TAP (one-time, 60 min, created 5 min ago). */
  johanna: 'johanna.lorenz@tapkioskdemo.onmicrosoft.com',
  johannaId: '00000000-0000-4000-8000-000000000016',
  johannaTapId: '5a1f0c2e-7d3b-4e61-9a84-0c6b2d9e1f70',
  /** Holds a registered security key (the lost-key case). */
  lee: 'lee.gu@tapkioskdemo.onmicrosoft.com',
  leeId: '00000000-0000-4000-8000-000000000017',
  leeKeyId: 'f1d0c0de-0017-4a00-8000-00000000a017',
  /** Internal guest. */
  lynne: 'lynne.robbins@tapkioskdemo.onmicrosoft.com',
  /** Helpdesk Administrator (direct role). */
  pradeep: 'pradeep.gupta@tapkioskdemo.onmicrosoft.com',
  obrien: 'sean.obrien@tapkioskdemo.onmicrosoft.com',
  zoe: 'zoe.mueller-luedenscheidt@tapkioskdemo.onmicrosoft.com',
} as const;

export const token = (emu: Emulator, upn: string, scopes?: readonly string[]) => accessTokenFor(emu, upn, scopes ? { scopes } : {});

/** `/v1.0/users/{upn or id}` with the UPN percent-encoded (the external guest's `#EXT#`). */
export const userPath = (idOrUpn: string, suffix = '') => `/v1.0/users/${encodeURIComponent(idOrUpn)}${suffix}`;

export const tapPath = (idOrUpn: string, tapId?: string) => userPath(idOrUpn, `/authentication/temporaryAccessPassMethods${tapId ? `/${tapId}` : ''}`);
