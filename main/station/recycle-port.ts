/**
 * The enrollment session's RecyclePort (main/enrollment/recycle.ts) over the key watcher and
 * main/provision/recycle.ts: the watcher says when the key is unplugged and plugged back in, the key is opened on a
 * fresh handle for the reset.
 */
import type { AuditEvent } from '../audit';
import type { JournalHealthCode } from '../../common/codes';
import type { RecyclePort } from '../enrollment/recycle';
import type { HidDevice } from '../keys/hid/device';
import { DeviceGoneError } from '../keys/hid/errors';
import type { KeyWatcher } from '../keys/watcher';
import { recycleKey } from '../provision/recycle';

export interface DeskRecycleOptions {
  watcher: Pick<KeyWatcher, 'state' | 'on'>;
  /** Opens a key by the watcher's path. */
  openPath(path: string): Promise<HidDevice>;
  journal: { append(event: AuditEvent): Promise<unknown>; probe?(): Promise<JournalHealthCode> };
  modelOf(aaguid: string): string | null;
}

export function deskRecyclePort(o: DeskRecycleOptions): RecyclePort {
  const desk = {
    state: () => o.watcher.state(),
    onChange: (listener: () => void) => o.watcher.on('change', () => listener()),
    open: async (keyId: string) => {
      const key = o.watcher.state().keys.find((k) => k.id === keyId);
      if (!key) throw new DeviceGoneError('the key at the desk is gone');
      return o.openPath(key.path);
    },
  };
  return {
    recycle: (request, signal) =>
      recycleKey({ desk, journal: o.journal, modelOf: o.modelOf }, { operator: request.operator, onStage: request.onStage, ...(signal ? { signal } : {}) }),
  };
}
