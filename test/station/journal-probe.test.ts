// createStation follows a journal that cannot be written: the status line names it, and a probe every
// `journalProbeMs` resumes the journal by itself once the cause is gone (no restart), clearing the line.
// The fault is injected at Node's FileHandle (tests run as root, where chmod does not stop a write).
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { auditEvents as e, JournalBrokenError, verify } from '../../main/audit';
import { parseConfig } from '../../main/config';
import { createStation, type Station } from '../../main/station';
import { VirtualBus } from '../authenticator/virtual-bus';
import { operator, tempFolder } from '../audit/helpers';

let folder: string;
let cleanup: () => void;
let station: Station | null = null;
beforeEach(() => ({ folder, cleanup } = tempFolder()));
afterEach(async () => {
  await station?.stop();
  station = null;
  cleanup();
});

async function start(journalProbeMs: number): Promise<Station> {
  const config = parseConfig(
    JSON.stringify({
      tenantId: '00000000-0000-4000-8000-000000000001',
      clientId: '00000000-0000-4000-8000-000000000002',
      // Nothing answers here: the tenant check fails in the background, which this test does not look at.
      authority: 'https://127.0.0.1:9/00000000-0000-4000-8000-000000000001',
      graphBaseUrl: 'https://127.0.0.1:9/v1.0',
      mySecurityInfoUrl: 'https://127.0.0.1:9/security-info',
      auditFolder: folder,
      stationId: 'KIOSK-PROBE-01',
      allowCustomHosts: true,
    }),
    '(test)',
  );
  const s = await createStation({
    config,
    presenter: () => Promise.reject(new Error('no sign-in in this test')),
    view: { open: () => Promise.resolve(), onNavigation: () => () => undefined, wipe: () => Promise.resolve() },
    keySource: new VirtualBus({ hotplug: true }),
    keyWatcher: { pollIntervalMs: 60_000, hotplugPollIntervalMs: 60_000 },
    journalProbeMs,
  });
  await s.start();
  return s;
}

describe('the station re-probes a journal that cannot be written', () => {
  it('disk full: the status says so, and clears by itself once space is back; the chain verifies', async () => {
    station = await start(25);
    const signedIn = e.operatorSignedIn({ operator, roles: ['Authentication Administrator'] });
    await station.journal.append(signedIn);
    const handle = await open(join(folder, 'fault-probe'), 'w');
    const proto = Object.getPrototypeOf(handle) as { datasync: () => Promise<void> };
    await handle.close();
    const spy = vi.spyOn(proto, 'datasync').mockRejectedValue(Object.assign(new Error('ENOSPC: injected'), { code: 'ENOSPC' }));
    try {
      await expect(station.journal.append(signedIn)).rejects.toBeInstanceOf(JournalBrokenError);
      expect(station.status.current().journal).toBe('full');
      // Probes keep running and keep failing while the disk is full: still full, still broken.
      await new Promise((r) => setTimeout(r, 120));
      expect(station.status.current().journal).toBe('full');
      expect(station.journal.broken).toBe(true);
    } finally {
      spy.mockRestore();
    }
    // Space back: the next periodic probe resumes the journal; nobody restarted or pressed anything.
    await vi.waitFor(() => expect(station?.status.current().journal).toBe('ok'), { timeout: 2_000, interval: 10 });
    expect(station.journal.broken).toBe(false);
    await station.journal.append(signedIn);
    await station.stop();
    station = null;
    const checked = await verify(folder);
    expect(checked.ok).toBe(true);
    expect(checked.notes.join('\n')).toMatch(/could not write the journal/);
  });
});
