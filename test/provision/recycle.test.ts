/**
 * Recycling a returned key (main/provision/recycle.ts) against the software authenticator over the real CTAPHID
 * transport: the desk's key watcher is simulated (unplug / plug back in), the key's own clock decides the reset
 * window (CTAP 2.1 §6.6), and what is left on the key afterwards is read back through the CTAP2 client.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ClientPin, encodePin } from '../../main/keys/ctap2/client-pin';
import { getInfo } from '../../main/keys/ctap2/info';
import { makeCredential } from '../../main/keys/ctap2/make-credential';
import { Ctap2Session } from '../../main/keys/ctap2/session';
import { CtapHidChannel } from '../../main/keys/hid/transport';
import { recycleKey, type RecycleDesk, type RecycleStage } from '../../main/provision/recycle';
import type { AuditEvent } from '../../main/audit/events';
import type { JournalHealthCode } from '../../common/codes';
import { Fido2Core, type Fido2CoreOptions } from '../authenticator/fido2-core';
import { SoftAuthenticator } from '../authenticator/soft-authenticator';

const PIN = '46180273';
const OPERATOR = { id: '00000000-0000-4000-8000-000000000001', upn: 'alex.wilber@contoso.example' };

/** The key at the desk and the watcher's view of it; `unplug()`/`plugIn()` are the operator's hands. */
class Desk implements RecycleDesk {
  clock = 0;
  /** How far the key's own clock runs ahead of the station's. */
  keyLag = 0;
  readonly core: Fido2Core;
  present = true;
  readonly #listeners = new Set<() => void>();
  constructor(options: Fido2CoreOptions) {
    this.core = new Fido2Core({ ...options, now: () => this.clock + this.keyLag });
  }
  state() {
    return this.present ? { presence: 'one' as const, keys: [{ id: 'key-1', vidPid: '349e:0022' }] } : { presence: 'none' as const, keys: [] };
  }
  onChange(listener: () => void) {
    this.#listeners.add(listener);
    return () => void this.#listeners.delete(listener);
  }
  async open() {
    return new SoftAuthenticator({ core: this.core, capabilities: this.core.profile.capabilities });
  }
  unplug() {
    this.present = false;
    for (const l of [...this.#listeners]) l();
  }
  plugIn() {
    this.core.powerCycle();
    this.present = true;
    for (const l of [...this.#listeners]) l();
  }
  /** The key read through the CTAP2 client, as the next holder's computer would see it. */
  async read() {
    const channel = await CtapHidChannel.open(await this.open(), { timeoutMs: 1000 });
    try {
      const r = await getInfo(channel);
      if (r.kind !== 'fido2') throw new Error('not FIDO2');
      return r.info;
    } finally {
      await channel.close();
    }
  }
  /** The previous holder's PIN and one passkey on the key. */
  async use() {
    const channel = await CtapHidChannel.open(await this.open(), { timeoutMs: 1000 });
    try {
      const session = new Ctap2Session(channel);
      const token = await new ClientPin(session, 2).getPinUvAuthTokenUsingPin(encodePin(PIN), 1, 'login.microsoft.com');
      await makeCredential(session, {
        clientDataHash: Buffer.alloc(32, 7),
        rp: { id: 'login.microsoft.com' },
        user: { id: Buffer.from('leaver') },
        residentKey: true,
        token,
      });
    } finally {
      await channel.close();
    }
  }
}

function journal(health: JournalHealthCode = 'ok') {
  const events: AuditEvent[] = [];
  return { events, append: async (e: AuditEvent) => void events.push(e), probe: async () => health };
}

let desk: Desk | null = null;
afterEach(() => {
  desk = null;
});

/** Runs the recycle while the operator unplugs and plugs back in, `delayMs` (station's clock) before the reset. */
async function recycle(d: Desk, opts: { delayMs?: number; keyLagMs?: number; health?: JournalHealthCode } = {}) {
  const j = journal(opts.health);
  const stages: RecycleStage[] = [];
  const result = await recycleKey(
    { desk: d, journal: j, modelOf: () => 'TOKEN2 FIDO2 Security Key', now: () => d.clock, replugTimeoutMs: 2_000, timeoutMs: 1_000 },
    {
      operator: OPERATOR,
      onStage: (s) => {
        stages.push(s);
        if (s === 'unplug') queueMicrotask(() => d.unplug());
        if (s === 'plug-in')
          queueMicrotask(() => {
            d.plugIn();
            d.clock += opts.delayMs ?? 2_000;
            d.keyLag = opts.keyLagMs ?? 0;
          });
      },
    },
  );
  return { result, stages, events: j.events };
}

describe('recycling a returned key at the desk', () => {
  it('reset within 10 s of plug-in: the key has no PIN and no passkeys; the record names the model, not the holder', async () => {
    desk = new Desk({ pin: PIN });
    await desk.use();
    expect(desk.core.state.residentCount).toBe(1);
    const before = await desk.read();
    expect(before.options['clientPin']).toBe(true);

    const { result, stages, events } = await recycle(desk);
    expect(result).toEqual({ code: 'recycle.done', params: {} });
    expect(stages).toEqual(['unplug', 'plug-in', 'touch']);

    const after = await desk.read();
    expect(after.options['clientPin']).toBe(false);
    expect(desk.core.state.residentCount).toBe(0);
    expect(after.remainingDiscoverableCredentials).toBeGreaterThanOrEqual(before.remainingDiscoverableCredentials ?? 0);
    expect(events).toEqual([
      { type: 'key.recycled', operator: OPERATOR, aaguid: desk.core.profile.aaguid, model: 'TOKEN2 FIDO2 Security Key', vidPid: '349e:0022' },
    ]);
    expect(JSON.stringify(events)).not.toMatch(/leaver|login\.microsoft|46180273/);
  });

  it('plugged in more than 10 s before the touch: "too late", the key keeps its PIN and passkey, nothing recorded', async () => {
    desk = new Desk({ pin: PIN });
    await desk.use();
    const { result, events } = await recycle(desk, { delayMs: 11_000 });
    expect(result).toEqual({ code: 'recycle.too-late', params: { seconds: 10 } });
    expect((await desk.read()).options['clientPin']).toBe(true);
    expect(desk.core.state.residentCount).toBe(1);
    expect(events).toEqual([]);
  });

  it('the key itself says NOT_ALLOWED (its clock ran past the window, the station\'s did not): "too late" as well', async () => {
    desk = new Desk({ pin: PIN });
    const { result, events } = await recycle(desk, { delayMs: 2_000, keyLagMs: 9_000 });
    expect(desk.core.commands.at(-1)).toBe(0x07);
    expect(result).toEqual({ code: 'recycle.too-late', params: { seconds: 10 } });
    expect((await desk.read()).options['clientPin']).toBe(true);
    expect(events).toEqual([]);
  });

  it('a key that declines the reset: "denied", nothing erased, nothing recorded', async () => {
    desk = new Desk({ pin: PIN, touch: 'deny' });
    const { result, events } = await recycle(desk);
    expect(result).toEqual({ code: 'recycle.denied', params: {} });
    expect((await desk.read()).options['clientPin']).toBe(true);
    expect(events).toEqual([]);
  });

  it('nobody touches the key: "no touch"', async () => {
    desk = new Desk({ pin: PIN, touch: 'never', touchTimeoutMs: 50 });
    const { result } = await recycle(desk);
    expect(result).toEqual({ code: 'recycle.no-touch', params: {} });
  });

  it('the key is not plugged back in: "not re-plugged" after the wait', async () => {
    desk = new Desk({ pin: PIN });
    const d = desk;
    const j = journal();
    const result = await recycleKey(
      { desk: d, journal: j, modelOf: () => null, replugTimeoutMs: 50 },
      { operator: OPERATOR, onStage: (s) => s === 'unplug' && queueMicrotask(() => d.unplug()) },
    );
    expect(result).toEqual({ code: 'recycle.not-replugged', params: { seconds: 1 } });
  });

  it('a journal that cannot record: nothing is done to the key', async () => {
    desk = new Desk({ pin: PIN });
    const { result, stages } = await recycle(desk, { health: 'full' });
    expect(result).toEqual({ code: 'recycle.journal', params: {} });
    expect(stages).toEqual([]);
    expect((await desk.read()).options['clientPin']).toBe(true);
  });
});
