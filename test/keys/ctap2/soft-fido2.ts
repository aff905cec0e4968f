/**
 * The CTAP 2.1 client against the software authenticator, over the real CTAPHID transport: a SoftAuthenticator
 * with a Fido2Core behind a CtapHidChannel, and a Ctap2Session on top.
 */
import { CtapHidChannel } from '../../../main/keys/hid/transport';
import { Ctap2Session } from '../../../main/keys/ctap2/session';
import { getInfo, type AuthenticatorInfo } from '../../../main/keys/ctap2/info';
import { Fido2Core, type Fido2CoreOptions } from '../../authenticator/fido2-core';
import { SoftAuthenticator } from '../../authenticator/soft-authenticator';

export interface SoftKey {
  core: Fido2Core;
  device: SoftAuthenticator;
  channel: CtapHidChannel;
  session: Ctap2Session;
  info(): Promise<AuthenticatorInfo>;
  /** Unplug and plug back in: a new device handle and channel on the same (persistent) key state. */
  replug(): Promise<void>;
  close(): Promise<void>;
}

/** A new software key (its options), or one more handle on an existing key state (a `Fido2Core`). */
export async function openSoftKey(options: Fido2CoreOptions | Fido2Core = {}): Promise<SoftKey> {
  const core = options instanceof Fido2Core ? options : new Fido2Core(options);
  const key: SoftKey = {
    core,
    device: undefined as unknown as SoftAuthenticator,
    channel: undefined as unknown as CtapHidChannel,
    session: undefined as unknown as Ctap2Session,
    async info() {
      const r = await getInfo(key.channel);
      if (r.kind !== 'fido2') throw new Error('not a FIDO2 key');
      return r.info;
    },
    async replug() {
      await key.channel.close();
      core.powerCycle();
      await connect();
    },
    close: () => key.channel.close(),
  };
  async function connect(): Promise<void> {
    key.device = new SoftAuthenticator({ core, capabilities: core.profile.capabilities });
    key.channel = await CtapHidChannel.open(key.device, { timeoutMs: 1000 });
    key.session = new Ctap2Session(key.channel);
  }
  await connect();
  return key;
}
