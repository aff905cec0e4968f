// For Graph conformance tests only: an access token for a seeded user, signed by the emulator's own key,
// without the browser sign-in (the MSAL tests cover that path end to end).
import type { Emulator } from '../server';
import { GRAPH_AUDIENCE } from '../tokens';

/** What the TAP Kiosk app registration is consented for. */
export const KIOSK_SCOPES = [
  'User.Read',
  'User.Read.All',
  'UserAuthenticationMethod.ReadWrite.All',
  'Policy.Read.AuthenticationMethod',
  'User.RevokeSessions.All',
] as const;

export async function accessTokenFor(
  emu: Emulator,
  upnOrId: string,
  options: { scopes?: readonly string[]; audience?: string; lifetimeSeconds?: number } = {},
): Promise<string> {
  const user = emu.ctx.state.findUser(upnOrId);
  if (!user) throw new Error(`no seeded user ${upnOrId}`);
  return emu.ctx.tokens.sign(
    {
      oid: user.id,
      sub: user.id,
      tid: emu.tenantId,
      scp: (options.scopes ?? KIOSK_SCOPES).join(' '),
      wids: emu.ctx.state.rolesOf(user),
      upn: user.userPrincipalName,
      preferred_username: user.userPrincipalName,
      name: user.displayName,
      appid: emu.clientId,
      azp: emu.clientId,
    },
    options.audience ?? GRAPH_AUDIENCE,
    options.lifetimeSeconds ?? 3600,
  );
}
