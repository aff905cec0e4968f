// The real directory gateway (main/directory/gateway.ts) over the real Graph client, pointed at the emulator.
// `retries: 0` (the default here) lets the lifecycle see each failure: the deleter's and the completion
// watch's own retries are what these tests are about.
import { createDirectoryGateway, createGraphClient } from '../../../main/directory';
import type { DirectoryPort } from '../../../main/enrollment/ports';
import type { Emulator } from '../../emulator';
import { accessTokenFor } from '../../emulator/support/tokens';

export const OPERATOR_UPN = 'patti.fernandez@tapkioskdemo.onmicrosoft.com';

export function emulatorDirectory(emu: Emulator, options: { retries?: number; operator?: string } = {}): DirectoryPort {
  return graphDirectory({
    graph: emu.urls.graph,
    caPem: emu.caPem,
    getAccessToken: () => accessTokenFor(emu, options.operator ?? OPERATOR_UPN),
    retries: options.retries ?? 0,
  });
}

/** The same over explicit connection facts (a child process gets them from its parent). */
export function graphDirectory(connection: { graph: string; caPem: string; getAccessToken: () => Promise<string>; retries?: number }): DirectoryPort {
  const client = createGraphClient({
    baseUrl: connection.graph,
    caPem: connection.caPem,
    getAccessToken: connection.getAccessToken,
    retry: { maxRetries: connection.retries ?? 0, delaySeconds: 0, budgetMs: 5_000 },
  });
  return createDirectoryGateway({ client });
}
