// A directory gateway wired the way main/index.ts wires it: the real Graph client (retry, TLS trusting only the
// emulator's CA) with an access token for a seeded operator.
import { createGraphClient, type GraphRetryOptions } from '../../main/directory/graph-client';
import { createDirectoryGateway, type DirectoryGatewayOptions } from '../../main/directory/gateway';
import type { Emulator } from '../emulator';
import { accessTokenFor } from '../emulator/support/tokens';

export const DOMAIN = 'tapkioskdemo.onmicrosoft.com';
export const upn = (name: string) => `${name}@${DOMAIN}`;
export const ALEX = upn('alex.wilber');
export const PATTI = upn('patti.fernandez');
export const LIDIA = upn('lidia.holloway');

export const ID = {
  alex: '00000000-0000-4000-8000-000000000001',
  megan: '00000000-0000-4000-8000-000000000010',
  adele: '00000000-0000-4000-8000-000000000011',
  chris: '00000000-0000-4000-8000-000000000013',
  diego: '00000000-0000-4000-8000-000000000014',
  isaiah: '00000000-0000-4000-8000-000000000015',
  johanna: '00000000-0000-4000-8000-000000000016',
  lee: '00000000-0000-4000-8000-000000000017',
  sean: '00000000-0000-4000-8000-000000000018',
  zoe: '00000000-0000-4000-8000-000000000019',
  lynne: '00000000-0000-4000-8000-000000000020',
} as const;

export interface GatewayFor {
  operator?: string;
  token?: () => Promise<string>;
  retry?: GraphRetryOptions;
  gateway?: Omit<DirectoryGatewayOptions, 'client'>;
}

export function gatewayFor(emu: Emulator, options: GatewayFor = {}) {
  const operator = options.operator ?? ALEX;
  const client = createGraphClient({
    baseUrl: emu.urls.origin,
    caPem: emu.caPem,
    getAccessToken: options.token ?? (() => accessTokenFor(emu, operator)),
    // Small, fast retries: the fault tests below decide how many and how long.
    retry: options.retry ?? { maxRetries: 2, budgetMs: 5_000, delaySeconds: 0 },
  });
  return createDirectoryGateway({ client, ...options.gateway });
}

export const graphRequests = (emu: Emulator) => emu.requestLog().filter((r) => r.surface === 'graph');

/** The rejection of a promise (fails the test if it resolves). */
export async function rejection(p: Promise<unknown>): Promise<any> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected the call to fail, and it succeeded');
}
