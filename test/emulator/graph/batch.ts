// JSON batching (Microsoft Learn, graph/json-batching): `POST /$batch` with up to 20 requests; each is run as if
// sent on its own (its own status, headers and body, its own throttling and Retry-After), with the batch's
// access token. `dependsOn` orders requests; one whose dependency failed is answered 424 Failed Dependency.
//
// Each inner request is replayed through the server (`inject`), so the same routes, validation, fault injection,
// request log and throttle apply to it as to a request sent alone. The `$batch` request itself is not throttled
// (the inner requests are evaluated individually: graph/throttling.md, "JSON batching").
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { EmulatorContext } from '../context';
import { GraphError } from '../errors';

/** Header the batch puts on the requests it replays: the instrumentation knows them (no dropped sockets there). */
export const BATCH_INNER_HEADER = 'x-emulator-batch-of';
export const BATCH_MAX_REQUESTS = 20;

const InnerRequest = z.object({
  id: z.string().min(1),
  method: z
    .string()
    .toUpperCase()
    .pipe(z.enum(['GET', 'POST', 'PATCH', 'PUT', 'DELETE'])),
  url: z.string().min(1),
  headers: z.record(z.string(), z.string()).optional(),
  body: z.unknown().optional(),
  dependsOn: z.array(z.string()).optional(),
});
const BatchBody = z.object({ requests: z.array(InnerRequest) });
type InnerRequest = z.infer<typeof InnerRequest>;

/** [INF] the texts; the rules are json-batching.md's. */
export const BatchErrors = {
  invalid: (detail: string) => new GraphError(400, 'BadRequest', `Invalid batch payload format. ${detail}`),
  tooMany: () => new GraphError(400, 'BadRequest', `The number of requests in the batch exceeds the maximum of ${BATCH_MAX_REQUESTS}.`),
};

export interface InnerResponse {
  id: string;
  status: number;
  headers: Record<string, string>;
  body?: unknown;
}

const KEPT_HEADERS: Record<string, string> = {
  'content-type': 'Content-Type',
  'retry-after': 'Retry-After',
  location: 'Location',
  'x-ms-throttle-information': 'x-ms-throttle-information',
  'x-ms-throttle-scope': 'x-ms-throttle-scope',
  'x-ms-resource-unit': 'x-ms-resource-unit',
};

function validate(body: unknown): InnerRequest[] {
  const parsed = BatchBody.safeParse(body);
  if (!parsed.success) throw BatchErrors.invalid(parsed.error.issues[0]?.message ?? '');
  const requests = parsed.data.requests;
  if (requests.length === 0) throw BatchErrors.invalid('The batch contains no requests.');
  if (requests.length > BATCH_MAX_REQUESTS) throw BatchErrors.tooMany();
  const seen = new Set<string>();
  for (const r of requests) {
    const id = r.id.toLowerCase(); // ids are case-insensitive (json-batching.md)
    if (seen.has(id)) throw BatchErrors.invalid(`The request id '${r.id}' is not unique.`);
    for (const d of r.dependsOn ?? []) if (!seen.has(d.toLowerCase())) throw BatchErrors.invalid(`The dependsOn id '${d}' does not name an earlier request.`);
    seen.add(id);
    if (/^[a-z]+:/i.test(r.url)) throw BatchErrors.invalid(`The url of request '${r.id}' must be relative.`);
    const hasType = Object.keys(r.headers ?? {}).some((h) => h.toLowerCase() === 'content-type');
    if (r.body !== undefined && !hasType) throw BatchErrors.invalid(`Request '${r.id}' has a body but no Content-Type header.`);
  }
  return requests;
}

export function registerBatch(app: FastifyInstance, ctx: EmulatorContext): void {
  app.post('/$batch', async (req: FastifyRequest) => {
    const requests = validate(req.body);
    const prefix = req.url.startsWith('/beta') ? '/beta' : '/v1.0';
    const done = new Map<string, Promise<InnerResponse>>();
    const run = async (r: InnerRequest): Promise<InnerResponse> => {
      for (const d of r.dependsOn ?? []) {
        const dep = await done.get(d.toLowerCase());
        if (!dep || dep.status < 200 || dep.status >= 300) {
          return {
            id: r.id,
            status: 424,
            headers: { 'Content-Type': 'application/json' },
            body: { error: { code: 'FailedDependency', message: `The request depends on request '${d}', which failed.` } },
          };
        }
      }
      const res = await app.inject({
        method: r.method,
        url: `${prefix}${r.url.startsWith('/') ? '' : '/'}${r.url}`,
        headers: {
          ...(r.headers ?? {}),
          ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
          'client-request-id': req.clientRequestId,
          [BATCH_INNER_HEADER]: req.requestId,
        },
        ...(r.body !== undefined ? { payload: JSON.stringify(r.body) } : {}),
      });
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(res.headers)) {
        const kept = KEPT_HEADERS[name.toLowerCase()];
        if (kept && value !== undefined) headers[kept] = String(value);
      }
      let body: unknown;
      if (res.body) {
        try {
          body = JSON.parse(res.body);
        } catch {
          body = Buffer.from(res.rawPayload).toString('base64');
        }
      }
      return { id: r.id, status: res.statusCode, headers, ...(body !== undefined ? { body } : {}) };
    };
    for (const r of requests) done.set(r.id.toLowerCase(), run(r));
    return { responses: await Promise.all(requests.map((r) => done.get(r.id.toLowerCase()) as Promise<InnerResponse>)) };
  });
  void ctx;
}
