// The emulated Microsoft identity platform (v2.0 endpoints) that real @azure/msal-node signs operators in
// against: discovery and keys, /authorize with a sign-in page for the seeded operators (password, or a passkey
// through login.microsoft.com/common/fido/get: ./passkey.ts), and /token for the
// authorization code (PKCE S256), refresh token and device code grants, and sign-out (entra-graph.md 7).
import type { FastifyInstance } from 'fastify';
import type { EmulatorContext } from '../context';
import { registerAuthorize } from './authorize';
import { registerDeviceCode } from './device';
import { registerDiscovery, registerUserInfo } from './discovery';
import { GrantStore } from './grants';
import { registerToken } from './token';

export function registerIdp(app: FastifyInstance, ctx: EmulatorContext): void {
  const grants = new GrantStore();
  ctx.onReset(() => grants.clear());
  registerDiscovery(app, ctx);
  registerUserInfo(app, ctx);
  registerAuthorize(app, ctx, grants);
  registerToken(app, ctx, grants);
  registerDeviceCode(app, ctx, grants);
}
