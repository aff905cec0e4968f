// The operator's role reading against what Graph may answer with low scopes (issue 10, 3m): a directory role
// whose displayName is null is still the role its roleTemplateId names; one without a roleTemplateId (Graph's
// "limited information": only @odata.type and id) makes the read fail so that the session uses the token's wids.
import type { Client } from '@microsoft/microsoft-graph-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGraphClient } from '../../main/directory/graph-client';
import { readActiveRoles } from '../../main/operator/directory-roles';
import { RoleTemplate, roleDisplayName } from '../../main/operator/roles';
import { startEmulator, type Emulator } from '../emulator';
import { accessTokenFor, KIOSK_SCOPES } from '../emulator/support/tokens';

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(async () => emu.close());

const clientFor = (upn: string, scopes: readonly string[]): Client =>
  createGraphClient({
    baseUrl: emu.urls.origin,
    caPem: emu.caPem,
    getAccessToken: () => accessTokenFor(emu, upn, { scopes }),
    retry: { maxRetries: 0, budgetMs: 1_000, delaySeconds: 0 },
  });
const ALEX = 'alex.wilber@tapkioskdemo.onmicrosoft.com';
const HENRIETTA = 'henrietta.mueller@tapkioskdemo.onmicrosoft.com';

describe('directory roles under low scopes', () => {
  it('with the kiosk’s scopes (none reads directory roles) Graph gives no displayName; the role is still read and named', async () => {
    for (const upn of [ALEX, HENRIETTA]) {
      const roles = await readActiveRoles(clientFor(upn, KIOSK_SCOPES), emu.urls.origin);
      expect(roles).toEqual([{ roleTemplateId: RoleTemplate.AuthenticationAdministrator, displayName: null }]);
      expect(roleDisplayName(roles[0]!.roleTemplateId, roles[0]!.displayName)).toBe('Authentication Administrator');
    }
  });

  it('with a scope that reads directory roles, the directory’s displayName comes through', async () => {
    const roles = await readActiveRoles(clientFor(ALEX, [...KIOSK_SCOPES, 'RoleManagement.Read.Directory']), emu.urls.origin);
    expect(roles).toEqual([{ roleTemplateId: RoleTemplate.AuthenticationAdministrator, displayName: 'Authentication Administrator' }]);
  });

  it('a role listed with limited information (no roleTemplateId) fails the read instead of dropping the role silently', async () => {
    emu.injectFault({
      path: '/transitiveMemberOf/microsoft\\.graph\\.directoryRole$',
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: {
        value: [{ '@odata.type': '#microsoft.graph.directoryRole', id: '6b1f0c2e-7d3b-4e61-9a84-0c6b2d9e1f70', displayName: null, roleTemplateId: null }],
      },
    });
    await expect(readActiveRoles(clientFor(ALEX, KIOSK_SCOPES), emu.urls.origin)).rejects.toThrow(/roleTemplateId/);
  });
});
