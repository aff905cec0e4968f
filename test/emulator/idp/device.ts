// The device authorization grant (entra-graph.md 7.6): /devicecode hands out a device code and a user code,
// the verification page takes the user code and then the usual sign-in page, and /token is polled until then.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { EmulatorContext } from '../context';
import { OAuthError } from '../errors';
import { renderSignIn, sendPage } from './authorize';
import { tenantOrThrow } from './discovery';
import { DEVICE_POLL_INTERVAL_S, type GrantStore } from './grants';
import { findClient, grantScopes, splitScopes, unknownClient } from './issue';
import { deviceCodePage } from './pages';

const DeviceCodeRequest = z.object({ client_id: z.string().min(1), scope: z.string().min(1) });
const CodeForm = z.object({ otc: z.string().max(64).default('') });

export function verificationUri(ctx: EmulatorContext, tenantSegment: string): string {
  return `${ctx.urls.origin}/${encodeURIComponent(tenantSegment)}/oauth2/v2.0/devicelogin`;
}

export function registerDeviceCode(app: FastifyInstance, ctx: EmulatorContext, grants: GrantStore): void {
  app.post<{ Params: { tenant: string } }>('/:tenant/oauth2/v2.0/devicecode', async (req, reply) => {
    const tenant = tenantOrThrow(ctx, req.params.tenant);
    const parsed = DeviceCodeRequest.safeParse(req.body ?? {});
    if (!parsed.success) {
      const name = String(parsed.error.issues[0]?.path[0] ?? 'client_id');
      throw new OAuthError('invalid_request', 900144, `The request body must contain the following parameter: '${name}'.`);
    }
    const client = findClient(ctx, parsed.data.client_id);
    if (!client) throw unknownClient(ctx, parsed.data.client_id);
    const scopes = splitScopes(parsed.data.scope);
    grantScopes(client, scopes); // refuses other resources
    const { deviceCode, grant } = grants.startDeviceCode(client.clientId, scopes, ctx.clock.nowMs());
    const uri = verificationUri(ctx, tenant.segment);
    return reply.header('Cache-Control', 'no-store, no-cache').send({
      user_code: grant.userCode,
      device_code: deviceCode,
      verification_uri: uri,
      expires_in: Math.round((grant.expiresAt - ctx.clock.nowMs()) / 1000),
      interval: DEVICE_POLL_INTERVAL_S,
      message: `To sign in, use a web browser to open the page ${uri} and enter the code ${grant.userCode} to authenticate.`,
    });
  });

  app.get<{ Params: { tenant: string } }>('/:tenant/oauth2/v2.0/devicelogin', async (req, reply) => {
    tenantOrThrow(ctx, req.params.tenant);
    return sendPage(reply, 200, deviceCodePage(verificationUri(ctx, req.params.tenant)));
  });

  app.post<{ Params: { tenant: string } }>('/:tenant/oauth2/v2.0/devicelogin', async (req, reply) => {
    const tenant = tenantOrThrow(ctx, req.params.tenant);
    const action = verificationUri(ctx, req.params.tenant);
    const form = CodeForm.safeParse(req.body ?? {});
    const found = form.success ? grants.findByUserCode(form.data.otc) : undefined;
    if (!found || found[1].approval) {
      return sendPage(reply, 200, deviceCodePage(action, "That code didn't work. Check the code and try again."));
    }
    const [deviceCode, device] = found;
    if (ctx.clock.nowMs() >= device.expiresAt) {
      return sendPage(
        reply,
        200,
        deviceCodePage(action, "The code you entered has expired. Get a new code from the device you're trying to sign in to and try again."),
      );
    }
    const request = {
      clientId: device.clientId,
      redirectUri: '',
      responseMode: 'query' as const,
      scopes: device.scopes,
      codeChallenge: '',
      tenantSegment: tenant.segment,
    };
    return renderSignIn(ctx, reply, request, grants.startFlow(request, ctx.clock.nowMs(), deviceCode));
  });
}
