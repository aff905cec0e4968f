// The enrollment session's KeysPort over the KeyWatcher: its state and changes, plus wink (CTAPHID WINK) on a
// fresh handle through a CtapHidChannel, closed again at once.
import type { KeysPort } from '../enrollment/ports';
import type { KeySource } from '../keys/key-source';
import { CtapHidChannel } from '../keys/hid/transport';
import type { KeyWatcher } from '../keys/watcher';

export function watcherKeysPort(watcher: KeyWatcher, source: KeySource, options: { timeoutMs?: number } = {}): KeysPort {
  return {
    state: () => watcher.state(),
    onChange: (listener) => watcher.on('change', listener),
    async wink(keyId) {
      const key = watcher.state().keys.find((k) => k.id === keyId);
      if (!key) return false;
      let device;
      try {
        device = await source.open(key.path);
      } catch {
        return false;
      }
      let channel: CtapHidChannel | undefined;
      try {
        channel = await CtapHidChannel.open(device, { timeoutMs: options.timeoutMs ?? 3_000 });
        if (!channel.supportsWink) return false;
        await channel.wink();
        return true;
      } catch {
        return false;
      } finally {
        if (channel) await channel.close();
        else await device.close().catch(() => undefined);
      }
    },
  };
}
