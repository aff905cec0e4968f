import { describe, expect, it } from 'vitest';
import { NodeHidSource, type NodeHidModule, type UsbHotplug } from '../../main/keys/node-hid-source';
import { KeyReaderUnavailableError, type HotplugEvent } from '../../main/keys/key-source';

function nextHotplug(source: NodeHidSource, predicate: (e: HotplugEvent) => boolean = () => true) {
  return new Promise<{ event: HotplugEvent; off: () => void }>((resolve) => {
    const off = source.onHotplug((event) => {
      if (predicate(event)) resolve({ event, off });
    });
  });
}

describe('NodeHidSource', () => {
  it('reports "key reader not working" when node-hid cannot be loaded, and tries again next time', async () => {
    let attempts = 0;
    const source = new NodeHidSource({
      hotplug: false,
      loadNodeHid: () => {
        attempts++;
        return Promise.reject(new Error('Cannot find module node-hid'));
      },
    });
    const error = await source.list().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KeyReaderUnavailableError);
    expect((error as Error).message).toMatch(/^key reader not working: node-hid could not be loaded/);
    await source.list().catch(() => undefined);
    expect(attempts).toBe(2);
  });

  it('lists only openable interfaces and makes close idempotent', async () => {
    let closes = 0;
    const fake: NodeHidModule = {
      devicesAsync: async () => [
        { vendorId: 0x1050, productId: 0x0407, path: '/dev/hidraw1', usagePage: 0xf1d0, usage: 1, serialNumber: '' },
        { vendorId: 0x046d, productId: 0xc31c, usagePage: 1, usage: 6 }, // no path
      ],
      HIDAsync: {
        open: async () => ({
          write: async (r) => r.length,
          read: async () => undefined,
          close: async () => {
            if (++closes > 1) throw new TypeError('device is already closed');
          },
        }),
      },
    };
    const source = new NodeHidSource({ hotplug: false, loadNodeHid: async () => fake });

    const listed = await source.list();
    expect(listed).toEqual([expect.objectContaining({ path: '/dev/hidraw1', usagePage: 0xf1d0, serialNumber: undefined })]);
    const device = await source.open('/dev/hidraw1');
    await device.close();
    await device.close();
    expect(closes).toBe(1);
  });

  it('says hot-plug is unavailable (so the watcher polls) when the usb module fails', async () => {
    const source = new NodeHidSource({ loadUsbHotplug: () => Promise.reject(new Error('getDevices error: /sys/bus/usb/devices/ not found')) });
    const { event, off } = await nextHotplug(source);
    expect(event).toEqual({ type: 'unavailable', reason: expect.stringContaining('/sys/bus/usb') });
    expect(source.hotplugStatus().status).toBe('unavailable');
    off();
    expect(source.hotplugStatus().status).toBe('idle');
  });

  it('forwards attach/detach once hot-plug is ready, and stops the native watcher on the last unsubscribe', async () => {
    let emit: ((kind: 'attach' | 'detach') => void) | undefined;
    let stopped = 0;
    const hotplug: UsbHotplug = {
      start: async (cb) => {
        emit = cb;
      },
      stop: async () => {
        stopped++;
      },
    };
    const source = new NodeHidSource({ loadUsbHotplug: async () => hotplug });
    const events: HotplugEvent[] = [];
    const ready = nextHotplug(source, (e) => e.type === 'ready');
    const off = source.onHotplug((e) => events.push(e));
    const { off: offReady } = await ready;
    emit?.('attach');
    emit?.('detach');
    offReady();
    off();
    await Promise.resolve();

    expect(events).toEqual([{ type: 'ready' }, { type: 'attach' }, { type: 'detach' }]);
    expect(stopped).toBe(1);
  });

  it('runs against the real node-hid and usb modules on this machine without throwing', async () => {
    const source = new NodeHidSource();
    const listed = await source.list(); // no HID devices in CI; a workstation lists its own
    expect(Array.isArray(listed)).toBe(true);
    const { event, off } = await nextHotplug(source);
    off();
    expect(['ready', 'unavailable']).toContain(event.type);
  });
});
