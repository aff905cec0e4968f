// Microsoft Graph v1.0 (and /beta, same handlers): users, memberships, photos, authentication methods, policies,
// groups, $batch, the directory audit log.
import type { FastifyInstance } from 'fastify';
import type { EmulatorContext } from '../context';
import { GraphError } from '../errors';
import { registerUsers } from './users';
import { registerMemberships } from './memberships';
import { registerPhotos } from './photos';
import { registerMethods } from './methods';
import { registerPolicies } from './policies';
import { registerGroups } from './groups';
import { registerBatch } from './batch';
import { registerAuditLogs } from './audit-logs';

export function registerGraph(app: FastifyInstance, ctx: EmulatorContext): void {
  // Graph reads JSON only: a form or text body is refused before any handler sees it.
  app.addHook('preValidation', async (req) => {
    if (req.method === 'GET' || req.method === 'DELETE' || req.body === undefined) return;
    const type = String(req.headers['content-type'] ?? '');
    if (!/^application\/json\b/i.test(type)) {
      throw new GraphError(
        415,
        'UnsupportedMediaType',
        'The content type of the request is a format that is not supported by the service. Use application/json.',
      );
    }
  });
  registerUsers(app, ctx);
  registerMemberships(app, ctx);
  registerPhotos(app, ctx);
  registerMethods(app, ctx);
  registerPolicies(app, ctx);
  registerGroups(app, ctx);
  registerBatch(app, ctx);
  registerAuditLogs(app, ctx);
  app.setNotFoundHandler(async (req) => {
    const path = (req.url.split('?')[0] ?? '').replace(/^\/(v1\.0|beta)\/?/, '');
    const segment = decodeURIComponent(path.split('/').find(Boolean) ?? '');
    throw new GraphError(400, 'BadRequest', `Resource not found for the segment '${segment}'.`);
  });
}
