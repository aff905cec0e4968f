// The directory gateway: every Graph call the kiosk makes, typed (DirectoryGateway below), put together from
//
// - transport.ts: one call (`send`: the Graph client with the raw response, a per-call timeout and the caller's
//   AbortSignal; every failure a DirectoryError of errors.ts; every 2xx body checked with zod, schemas.ts);
// - users.ts: the search, the identity card, a group's members (event mode);
// - methods.ts: the pass (THE place where a Temporary Access Pass is created: `createTap`), security keys,
//   a passkey provisioned on the person's behalf, revoking sign-in sessions;
// - policies.ts: the Temporary Access Pass and passkey (FIDO2) policies;
// - here: JSON batching (`batchGet`).
import type { Client } from '@microsoft/microsoft-graph-client';
import { z } from 'zod';
import type { AccessFacts } from './access';
import { badInput } from './errors';
import { createMethodCalls, type MethodCalls, type PasskeyProvisioningCalls } from './methods';
import { createPolicyCalls, type PolicyCalls } from './policies';
import type { SearchOptions } from './search';
import { createTransport } from './transport';
import { createUserCalls, type UserCalls } from './users';

export interface DirectoryGatewayOptions {
  /** From createGraphClient (graph-client.ts). */
  client: Client;
  /** Each call (retries included) gives up after this long: `timeout`. Default 30 s. */
  timeoutMs?: number;
  search?: SearchOptions;
  /** Largest photo accepted, in bytes. Default 4 MB (Graph's own limit for a profile photo). */
  photoMaxBytes?: number;
  /** The photo gives up after this long and the card shows initials. Default 5 s (never more than timeoutMs). */
  photoTimeoutMs?: number;
  /**
   * Whether an error the Graph client re-wrapped from the token callback means "the operator must sign in again"
   * (operator/'s `operatorErrorCodeOf(e) === 'sign-in-required'`, injected by the station so that directory/ does
   * not import operator/). Such a failure becomes kind `unauthenticated`, not `network`.
   */
  isSignInRequired?: (e: unknown) => boolean;
  /**
   * A security key's model when Graph names none, from its AAGUID (the keys catalogue; injected by the station so
   * that directory/ does not import keys/). Without it such a key's model is null.
   */
  modelOf?: (aaGuid: string) => string | null;
  /**
   * What the station knows about the signed-in operator (the permissions in their token, their roles), read when
   * Graph answers 403 to tell a missing consent, a missing role and a target out of reach apart (access.ts
   * `forbiddenCause`). Injected by the station so that directory/ does not import operator/. Without it a 403 is
   * only `forbidden`.
   */
  accessFacts?: () => AccessFacts | null;
  /** Epoch ms now: how old a search's row is when the card could reuse it (users.ts). Default `Date.now`. */
  now?: () => number;
}

/** Microsoft Graph, through one typed gateway; every failure is a `DirectoryError` (directory/errors.ts). */
export interface DirectoryGateway extends UserCalls, MethodCalls, PolicyCalls {
  /** JSON batching: up to 20 GET requests (relative urls) in one call; each answered with its own status. */
  batchGet(requests: readonly BatchGet[], signal?: AbortSignal): Promise<BatchAnswer[]>;
}

/** One request of a `$batch` (json-batching.md): relative url, e.g. `/users/{id}/authentication/fido2Methods`. */
export interface BatchGet {
  id: string;
  url: string;
}
export interface BatchAnswer {
  id: string;
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

/** json-batching.md: at most 20 requests in one batch. */
export const BATCH_LIMIT = 20;
const GraphBatchAnswer = z.object({
  responses: z.array(z.object({ id: z.string(), status: z.int(), headers: z.record(z.string(), z.string()).optional(), body: z.unknown().optional() })),
});

export function createDirectoryGateway(options: DirectoryGatewayOptions): DirectoryGateway & PasskeyProvisioningCalls {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const transport = createTransport({ client: options.client, timeoutMs, isSignInRequired: options.isSignInRequired, accessFacts: options.accessFacts });
  const { send, parse } = transport;
  const methods = createMethodCalls(transport, options.modelOf ?? (() => null));
  const users = createUserCalls(transport, methods, {
    search: options.search,
    photoMaxBytes: options.photoMaxBytes ?? 4 * 1024 * 1024,
    photoTimeoutMs: Math.min(options.photoTimeoutMs ?? 5_000, timeoutMs),
    ...(options.now ? { now: options.now } : {}),
  });

  return {
    ...users,
    ...methods,
    ...createPolicyCalls(transport),

    async batchGet(requests, signal) {
      const operation = 'read in a batch';
      if (requests.length === 0) return [];
      if (requests.length > BATCH_LIMIT) throw badInput(`A batch holds at most ${BATCH_LIMIT} requests`, operation);
      const body = { requests: requests.map((r) => ({ id: r.id, method: 'GET', url: r.url })) };
      const answer = await send(operation, 'POST', '/$batch', { body, signal });
      return parse(GraphBatchAnswer, answer, operation).responses.map((r) => ({ id: r.id, status: r.status, headers: r.headers ?? {}, body: r.body }));
    },
  };
}
