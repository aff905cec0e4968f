// For My Security Info tests: a pass put straight into the tenant (as Graph's create would), and a tiny cookie-aware
// HTTP client for the plain-HTTP pages.
import { randomUUID } from 'node:crypto';
import type { Emulator } from '../server';
import type { TapRecord } from '../model';

export function issueTap(
  emu: Emulator,
  upn: string,
  options: { lifetimeInMinutes?: number; isUsableOnce?: boolean; startInMinutes?: number; pass?: string } = {},
): TapRecord {
  const user = emu.ctx.state.findUser(upn);
  if (!user) throw new Error(`no seeded user ${upn}`);
  const now = emu.ctx.clock.now();
  const tap: TapRecord = {
    id: randomUUID(),
    userId: user.id,
    pass: options.pass ?? `T!${randomUUID().slice(0, 10)}`,
    createdDateTime: now,
    startDateTime: new Date(now.getTime() + (options.startInMinutes ?? 0) * 60_000),
    lifetimeInMinutes: options.lifetimeInMinutes ?? 10,
    isUsableOnce: options.isUsableOnce ?? true,
    usedDateTime: null,
  };
  emu.ctx.state.taps.set(user.id, tap);
  return tap;
}

/** A passkey put straight into the tenant, as the emulator's My Security Info registration records one. */
export function registerPasskey(emu: Emulator, userId: string, options: { at?: Date; displayName?: string } = {}): string {
  const id = randomUUID();
  emu.ctx.state.fido2.set(id, {
    id,
    userId,
    displayName: options.displayName ?? 'Desk key',
    createdDateTime: options.at ?? emu.ctx.clock.now(),
    aaGuid: 'cb69481e-8ff7-4039-93ec-0a2729a154a8',
    model: 'YubiKey 5 Series',
    attestationLevel: 'attested',
    attestationCertificates: [],
    passkeyType: 'deviceBound',
    credentialId: null,
  });
  return id;
}

export interface Page {
  status: number;
  headers: Headers;
  body: string;
  /** `data-step` on <body>. */
  step: string | null;
  /** `data-error` on <body>. */
  error: string | null;
}

/** A browser-like client: keeps the session cookie, sends same-origin Origin headers, does not follow redirects. */
export class MsiClient {
  cookie: string | null = null;
  constructor(readonly base: string) {}

  async get(path: string): Promise<Page> {
    return this.request('GET', path);
  }

  async form(path: string, fields: Record<string, string>): Promise<Page> {
    return this.request('POST', path, new URLSearchParams(fields).toString(), 'application/x-www-form-urlencoded');
  }

  async json(path: string, body: unknown): Promise<Page> {
    return this.request('POST', path, JSON.stringify(body), 'application/json');
  }

  async request(method: string, path: string, body?: string, type?: string, extra: Record<string, string> = {}): Promise<Page> {
    const headers: Record<string, string> = { ...extra };
    if (this.cookie) headers.cookie = this.cookie;
    if (type) headers['content-type'] = type;
    if (method !== 'GET' && !('origin' in headers)) headers.origin = this.base;
    const res = await fetch(this.base + path, { method, headers, ...(body !== undefined ? { body } : {}), redirect: 'manual' });
    const set = res.headers.get('set-cookie');
    if (set) {
      const [pair = ''] = set.split(';');
      this.cookie = /=$/.test(pair) || /max-age=0/i.test(set) ? null : pair;
    }
    const text = await res.text();
    return {
      status: res.status,
      headers: res.headers,
      body: text,
      step: /<body[^>]*\sdata-step="([^"]+)"/.exec(text)?.[1] ?? null,
      error: /<body[^>]*\sdata-error="([^"]+)"/.exec(text)?.[1] ?? null,
    };
  }

  /** Username, then the pass; returns the page the second step answered with. */
  async signIn(upn: string, pass: string): Promise<Page> {
    await this.form('/signin', { username: upn });
    return this.form('/signin/tap', { username: upn, tap: pass });
  }
}
