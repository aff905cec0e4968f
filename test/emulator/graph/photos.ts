// Profile photos (profilephoto-get.md, entra-graph.md 5.3): the bytes (`/photo/$value`, one of the HD sizes
// `/photos/{size}/$value`) and the metadata (`/photo`, `/photos/{size}`), for /me and /users/{id}.
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { EmulatorContext } from '../context';
import { GraphError, authorizationDenied } from '../errors';
import type { UserRecord } from '../model';
import { hasAnyScope, type Caller } from './auth';
import { graphBase } from './odata-collection';
import { USER_READ_ALL, USER_READ_BASIC, USER_READ_SELF, userTargets, type IdParams } from './user-access';

export const PhotoErrors = {
  /** [OBS] microsoft-graph-docs#11967 and SDK issues: a user without a photo. */
  imageNotFound: () => new GraphError(404, 'ImageNotFound', "Exception of type 'Microsoft.Fast.Profile.Core.Exception.ImageNotFoundException' was thrown."),
};

/** The HD sizes Graph serves. */
export const PHOTO_SIZES = [48, 64, 96, 120, 240, 360, 432, 504, 648];

function imageSize(bytes: Buffer): { width: number; height: number } | null {
  if (bytes.length >= 24 && bytes.readUInt32BE(0) === 0x89504e47) return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
  if (bytes.length >= 4 && bytes[0] === 0xff && bytes[1] === 0xd8) {
    let i = 2;
    while (i + 9 < bytes.length) {
      if (bytes[i] !== 0xff) return null;
      const marker = bytes[i + 1] ?? 0;
      const len = bytes.readUInt16BE(i + 2);
      if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
        return { height: bytes.readUInt16BE(i + 5), width: bytes.readUInt16BE(i + 7) };
      }
      i += 2 + len;
    }
  }
  return null;
}

function photoSizeParam(size: string): number {
  const m = /^(\d{2,3})x(\d{2,3})$/.exec(size);
  if (!m || m[1] !== m[2] || !PHOTO_SIZES.includes(Number(m[1]))) throw PhotoErrors.imageNotFound();
  return Number(m[1]);
}

function requirePhotoAccess(caller: Caller, target: UserRecord): void {
  const self = caller.user.id === target.id && hasAnyScope(caller, USER_READ_SELF);
  if (!self && !hasAnyScope(caller, [...USER_READ_ALL, ...USER_READ_BASIC])) throw authorizationDenied();
}

function photoOf(ctx: EmulatorContext, target: UserRecord) {
  const photo = ctx.state.photos.get(target.id);
  if (!photo) throw PhotoErrors.imageNotFound();
  return photo;
}

function sendPhoto(ctx: EmulatorContext, reply: FastifyReply, caller: Caller, target: UserRecord, size?: string) {
  requirePhotoAccess(caller, target);
  if (size !== undefined) photoSizeParam(size);
  const photo = photoOf(ctx, target);
  return reply.header('Content-Type', photo.contentType).header('Content-Length', String(photo.bytes.length)).send(photo.bytes);
}

function photoMetadata(ctx: EmulatorContext, req: FastifyRequest, caller: Caller, target: UserRecord, size?: string) {
  requirePhotoAccess(caller, target);
  const base = graphBase(ctx, req);
  const photo = ctx.state.photos.get(target.id);
  const context = `${base}/$metadata#users('${target.id}')/${size ? `photos('${size}')` : 'photo'}/$entity`;
  if (!photo) {
    if (size !== undefined) throw PhotoErrors.imageNotFound();
    // The documented answer for a user who never uploaded a photo (profilephoto-get.md, reference 5.3).
    return { '@odata.context': context, '@odata.mediaContentType': 'image/gif', '@odata.mediaEtag': '"00000000"', id: '1X1', width: 1, height: 1 };
  }
  const etag = createHash('sha256').update(photo.bytes).digest('hex').slice(0, 8).toUpperCase();
  const dims = size !== undefined ? { width: photoSizeParam(size), height: photoSizeParam(size) } : (imageSize(photo.bytes) ?? { width: 48, height: 48 });
  return {
    '@odata.context': context,
    '@odata.mediaContentType': photo.contentType,
    '@odata.mediaEtag': `"${etag}"`,
    id: `${dims.width}x${dims.height}`,
    width: dims.width,
    height: dims.height,
  };
}

// ---------------------------------------------------------------------------------------------------------
// Routes.

type SizeParams = { Params: { id: string; size: string } };

export function registerPhotos(app: FastifyInstance, ctx: EmulatorContext): void {
  const { me, them } = userTargets(ctx);

  app.get('/me/photo/$value', async (req, reply) => {
    const { caller, target } = await me(req);
    return sendPhoto(ctx, reply, caller, target);
  });
  app.get<IdParams>('/users/:id/photo/$value', async (req, reply) => {
    const { caller, target } = await them(req);
    return sendPhoto(ctx, reply, caller, target);
  });
  for (const seg of ['photo', 'photos']) {
    app.get<{ Params: { size: string } }>(`/me/${seg}/:size/$value`, async (req, reply) => {
      const { caller, target } = await me(req);
      return sendPhoto(ctx, reply, caller, target, req.params.size);
    });
    app.get<SizeParams>(`/users/:id/${seg}/:size/$value`, async (req, reply) => {
      const { caller, target } = await them(req);
      return sendPhoto(ctx, reply, caller, target, req.params.size);
    });
  }
  app.get('/me/photo', async (req) => {
    const { caller, target } = await me(req);
    return photoMetadata(ctx, req, caller, target);
  });
  app.get<IdParams>('/users/:id/photo', async (req) => {
    const { caller, target } = await them(req);
    return photoMetadata(ctx, req, caller, target);
  });
  app.get<SizeParams>('/users/:id/photos/:size', async (req) => {
    const { caller, target } = await them(req);
    return photoMetadata(ctx, req, caller, target, req.params.size);
  });
}
