// The emulator's shared plumbing: HTTPS trusted through its own CA only, Graph's error shape and request ids,
// fault injection (status, drop before, drop after commit), the request log and the admin API.
import https from 'node:https';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../index';

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(async () => emu.close());
beforeEach(() => emu.reset());

function get(url: string, ca: string | undefined, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: string }>((resolve, reject) => {
    https
      .get(url, { ...(ca ? { ca } : {}), headers }, (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      })
      .on('error', reject);
  });
}

describe('emulator core', () => {
  it('is reachable over HTTPS when the client trusts its CA, and refused when it does not', async () => {
    const ok = await get(`${emu.urls.admin}/clock`, emu.caPem);
    expect(ok.status).toBe(200);
    await expect(get(`${emu.urls.admin}/clock`, undefined)).rejects.toThrow(/self-signed|unable to verify|certificate/i);
  });

  it('answers an unauthenticated Graph call with 401 InvalidAuthenticationToken in Graph shape, with request ids', async () => {
    const res = await get(`${emu.urls.graph}/me`, emu.caPem, { 'client-request-id': 'c0ffee00-0000-4000-8000-000000000001' });
    expect(res.status).toBe(401);
    const body = JSON.parse(res.body);
    expect(body.error.code).toBe('InvalidAuthenticationToken');
    expect(body.error.innerError['request-id']).toBe(res.headers['request-id']);
    expect(body.error.innerError['client-request-id']).toBe('c0ffee00-0000-4000-8000-000000000001');
    expect(body.error.innerError.date).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
  });

  it('injects a status for the next N matching requests, then serves normally', async () => {
    emu.injectFault({ path: '/v1.0/me$', count: 2, status: 503, headers: { 'Retry-After': '1' } });
    const first = await get(`${emu.urls.graph}/me`, emu.caPem);
    const second = await get(`${emu.urls.graph}/me`, emu.caPem);
    const third = await get(`${emu.urls.graph}/me`, emu.caPem);
    expect([first.status, second.status, third.status]).toEqual([503, 503, 401]);
    expect(first.headers['retry-after']).toBe('1');
    expect(JSON.parse(first.body).error.code).toBe('serviceNotAvailable');
  });

  it('drops the connection before the handler when told to, and keeps serving', async () => {
    emu.injectFault({ path: '/v1.0/me$', drop: 'before' });
    await expect(get(`${emu.urls.graph}/me`, emu.caPem)).rejects.toThrow(/socket hang up|ECONNRESET/);
    expect((await get(`${emu.urls.graph}/me`, emu.caPem)).status).toBe(401);
  });

  it('logs Graph requests for counting, and the admin API moves the clock', async () => {
    await get(`${emu.urls.graph}/me`, emu.caPem);
    expect(
      emu
        .requestLog()
        .filter((r) => r.surface === 'graph')
        .map((r) => [r.method, r.path, r.status]),
    ).toEqual([['GET', '/v1.0/me', 401]]);
    const before = Date.parse(JSON.parse((await get(`${emu.urls.admin}/clock`, emu.caPem)).body).now);
    emu.advanceClock(11);
    const after = Date.parse(JSON.parse((await get(`${emu.urls.admin}/clock`, emu.caPem)).body).now);
    expect(after - before).toBeGreaterThanOrEqual(11 * 60_000);
  });

  it('answers an unknown Graph segment as Graph does', async () => {
    const res = await get(`${emu.urls.graph}/nonsense/path`, emu.caPem);
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body).error.message).toBe("Resource not found for the segment 'nonsense'.");
  });

  it("throttles with 429, Graph's body and a Retry-After after which the same request goes through", async () => {
    emu.ctx.throttle.configure({ resourceUnits: 4, windowSeconds: 2, retryAfterSeconds: 0 });
    const statuses: number[] = [];
    let throttled: Awaited<ReturnType<typeof get>> | undefined;
    for (let i = 0; i < 8 && !throttled; i++) {
      const res = await get(`${emu.urls.graph}/me`, emu.caPem);
      statuses.push(res.status);
      if (res.status === 429) throttled = res;
    }
    expect(throttled, `statuses: ${statuses.join(',')}`).toBeDefined();
    expect(JSON.parse(throttled!.body).error.code).toBe('TooManyRequests');
    const wait = Number(throttled!.headers['retry-after']);
    expect(wait).toBeGreaterThanOrEqual(1);
    await new Promise((r) => setTimeout(r, wait * 1000));
    expect((await get(`${emu.urls.graph}/me`, emu.caPem)).status).toBe(401);
  });
});
