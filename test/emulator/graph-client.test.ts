// The production Graph client factory (main/directory/graph-client.ts) against the running emulator: the real
// @microsoft/microsoft-graph-client with its retry middleware, trusting only the emulator's CA. It reads users and
// methods, creates and deletes a TAP, rides out a 429 storm with Retry-After, gives up when Retry-After would
// overrun its budget, and surfaces a connection dropped after the commit as a network error (the kiosk then
// reconciles by listing).
import { GraphError } from '@microsoft/microsoft-graph-client';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createGraphClient, plannedRetryDelaySeconds, resolveGraphBase, type GraphClientOptions } from '../../main/directory/graph-client';
import { startEmulator, type Emulator } from './index';
import { accessTokenFor } from './support/tokens';

let emu: Emulator;
beforeAll(async () => {
  // The short one-time "kiosk" TAP policy preset: these tests are about 10-minute one-time passes.
  emu = await startEmulator({ tapPolicy: 'kiosk' });
});
afterAll(async () => emu.close());
beforeEach(async () => {
  // The request log is written when a response has finished; let the previous test's last entry land first.
  await new Promise((r) => setTimeout(r, 50));
  emu.reset();
});

const ALEX = 'alex.wilber@tapkioskdemo.onmicrosoft.com';
const MEGAN = 'megan.bowen@tapkioskdemo.onmicrosoft.com';
const MEGAN_ID = '00000000-0000-4000-8000-000000000010';
const TAPS = `/users/${MEGAN}/authentication/temporaryAccessPassMethods`;

function client(overrides: Partial<GraphClientOptions> = {}) {
  return createGraphClient({
    baseUrl: emu.urls.origin,
    caPem: emu.caPem,
    getAccessToken: () => accessTokenFor(emu, ALEX),
    ...overrides,
  });
}

/** Graph entries of the request log, once the last response has been logged (it is written after it finished). */
async function graphLog() {
  await new Promise((r) => setTimeout(r, 50));
  return emu.requestLog().filter((r) => r.surface === 'graph');
}
const graphPosts = async () => (await graphLog()).filter((r) => r.method === 'POST');

describe('createGraphClient against the emulator', () => {
  it('reads a user by UPN and lists users with a filter', async () => {
    const c = client();
    const megan = await c.api(`/users/${MEGAN}`).get();
    expect(megan).toMatchObject({ id: MEGAN_ID, displayName: 'Megan Bowen', userPrincipalName: MEGAN });
    const found = await c.api('/users').filter("startswith(displayName,'Meg')").select('id,displayName').get();
    expect(found.value.map((u: { id: string }) => u.id)).toEqual([MEGAN_ID]);
  });

  it('reads authentication methods', async () => {
    const res = await client().api(`/users/${MEGAN_ID}/authentication/methods`).get();
    expect(res.value.map((m: Record<string, string>) => m['@odata.type'])).toEqual(['#microsoft.graph.passwordAuthenticationMethod']);
  });

  it('creates a TAP (the pass comes back once) and deletes it', async () => {
    const c = client();
    const created = await c.api(TAPS).post({ lifetimeInMinutes: 10, isUsableOnce: true });
    expect(created.temporaryAccessPass).toHaveLength(12);
    const listed = await c.api(TAPS).get();
    expect(listed.value.map((t: { id: string }) => t.id)).toEqual([created.id]);
    expect(listed.value[0].temporaryAccessPass).toBeNull();
    await c.api(`${TAPS}/${created.id}`).delete();
    expect((await c.api(TAPS).get()).value).toEqual([]);
  });

  it('surfaces a Graph error with its status, code and request id', async () => {
    const err: unknown = await client()
      .api(TAPS)
      .post({ lifetimeInMinutes: 5 })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GraphError);
    const ge = err as GraphError;
    expect(ge.statusCode).toBe(400);
    expect(ge.code).toBe('badRequest');
    expect(ge.message).toBe('Invalid LifetimeInMinutes specified. The valid range between 10 and 60.');
    expect(ge.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('rides out a 429 storm with Retry-After: exactly one TAP results', async () => {
    emu.injectFault({ path: '/temporaryAccessPassMethods$', method: 'POST', count: 3, status: 429, headers: { 'Retry-After': '1' } });
    const started = Date.now();
    const created = await client().api(TAPS).post({});
    expect(Date.now() - started).toBeGreaterThanOrEqual(3_000);
    expect(created.temporaryAccessPass).toHaveLength(12);
    expect((await graphPosts()).map((r) => r.status)).toEqual([429, 429, 429, 201]);
    expect([...emu.ctx.state.taps.values()].filter((t) => t.userId === MEGAN_ID).map((t) => t.id)).toEqual([created.id]);
  }, 20_000);

  it('rides out the emulator’s own throttle: the bucket refills while the client waits Retry-After', async () => {
    // A refused request still spends (Graph keeps counting while throttled), so Retry-After must cover the debt.
    emu.ctx.throttle.configure({ resourceUnits: 1, windowSeconds: 1, retryAfterSeconds: 2 });
    const c = client();
    await c.api(TAPS).get();
    const again = await c.api(TAPS).get();
    expect(again.value).toEqual([]);
    const statuses = (await graphLog()).map((r) => r.status);
    expect(statuses).toContain(429);
    expect(statuses.at(-1)).toBe(200);
  }, 20_000);

  it('retries a 503 without Retry-After with its own back-off', async () => {
    emu.injectFault({ path: '/authentication/methods$', count: 1, status: 503 });
    const res = await client({ retry: { delaySeconds: 0 } })
      .api(`/users/${MEGAN_ID}/authentication/methods`)
      .get();
    expect(res.value).toHaveLength(1);
  });

  it('gives up at once when Retry-After would overrun the retry budget, and reports the 429', async () => {
    emu.injectFault({ path: '/temporaryAccessPassMethods$', method: 'POST', count: 5, status: 429, headers: { 'Retry-After': '30' } });
    const started = Date.now();
    const err = (await client({ retry: { budgetMs: 10_000 } })
      .api(TAPS)
      .post({})
      .catch((e: unknown) => e)) as GraphError;
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(err.statusCode).toBe(429);
    expect(err.code).toBe('TooManyRequests');
    expect(await graphPosts()).toHaveLength(1);
    expect(emu.ctx.state.taps.has(MEGAN_ID)).toBe(false);
  });

  it('stops after maxRetries', async () => {
    emu.injectFault({ path: '/temporaryAccessPassMethods$', method: 'GET', count: 5, status: 429, headers: { 'Retry-After': '0' } });
    const err = (await client({ retry: { maxRetries: 2 } })
      .api(TAPS)
      .get()
      .catch((e: unknown) => e)) as GraphError;
    expect(err.statusCode).toBe(429);
    expect(await graphLog()).toHaveLength(3);
  });

  it('a connection dropped after the commit is a network error, yet the TAP exists: the caller must reconcile by listing', async () => {
    emu.injectFault({ path: '/temporaryAccessPassMethods$', method: 'POST', drop: 'after' });
    const c = client();
    const err = (await c
      .api(TAPS)
      .post({})
      .catch((e: unknown) => e)) as GraphError;
    expect(err).toBeInstanceOf(GraphError);
    expect(err.statusCode).toBe(-1);
    expect(await graphPosts()).toHaveLength(1); // never retried: the outcome is unknown
    const listed = await c.api(TAPS).get();
    expect(listed.value).toHaveLength(1);
    expect(listed.value[0].temporaryAccessPass).toBeNull();
  });

  it('trusts only the CA it is given: without it the emulator’s certificate is refused, and nothing is sent', async () => {
    const err = (await client({ caPem: undefined })
      .api(TAPS)
      .get()
      .catch((e: unknown) => e)) as GraphError;
    expect(err).toBeInstanceOf(GraphError);
    expect(err.statusCode).toBe(-1);
    expect(String(err.body)).toMatch(/fetch failed/);
    expect(await graphLog()).toHaveLength(0);
  });

  it('takes the base URL with or without the version, and reaches /beta', async () => {
    const viaGraphUrl = await client({ baseUrl: emu.urls.graph }).api(TAPS).get();
    expect(viaGraphUrl['@odata.context']).toContain('/v1.0/$metadata');
    const beta = await client({ baseUrl: emu.urls.graphBeta }).api(TAPS).get();
    expect(beta['@odata.context']).toContain('/beta/$metadata');
    const versioned = await client({ version: 'beta' }).api(TAPS).get();
    expect(versioned['@odata.context']).toContain('/beta/$metadata');
  });
});

describe('graph-client helpers', () => {
  it('resolveGraphBase splits origin and version and refuses anything but https origins', () => {
    expect(resolveGraphBase()).toEqual({ origin: 'https://graph.microsoft.com', version: 'v1.0', host: 'graph.microsoft.com' });
    expect(resolveGraphBase('https://localhost:8443/beta/')).toEqual({ origin: 'https://localhost:8443', version: 'beta', host: 'localhost' });
    expect(() => resolveGraphBase('http://localhost:8443')).toThrow(/https/);
    expect(() => resolveGraphBase('https://localhost:8443/v2')).toThrow(/path/);
    expect(() => resolveGraphBase('https://localhost:8443/v1.0', 'beta')).toThrow(/names v1.0/);
  });

  it('plannedRetryDelaySeconds reads Retry-After as seconds or an HTTP date, else backs off like the library', () => {
    const r = (h?: string) => new Response(null, { status: 429, headers: h === undefined ? {} : { 'Retry-After': h } });
    expect(plannedRetryDelaySeconds(r('7'), 0, 3)).toBe(7);
    expect(plannedRetryDelaySeconds(r(new Date(Date.now() + 20_000).toUTCString()), 0, 3)).toBeGreaterThan(18);
    expect(plannedRetryDelaySeconds(r(), 0, 3)).toBe(3);
    expect(plannedRetryDelaySeconds(r(), 2, 3)).toBe(3 + Math.round(0.5 * (2 ** 3 - 1)));
  });
});
