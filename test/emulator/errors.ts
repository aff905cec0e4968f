// Errors in the shapes the real services use: Graph's `{ error: { code, message, innerError } }` (entra-graph.md 6.1)
// and the identity platform's OAuth error (7.5).
import { innerErrorDate } from './clock';

/** Thrown by Graph route handlers; the Graph error handler renders it. */
export class GraphError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly options: { innerMessage?: string; headers?: Record<string, string> } = {},
  ) {
    super(message);
  }
}

export function graphErrorBody(code: string, message: string, ids: { requestId: string; clientRequestId: string }, date: Date, innerMessage?: string) {
  return {
    error: {
      code,
      message,
      innerError: {
        ...(innerMessage !== undefined ? { message: innerMessage } : {}),
        date: innerErrorDate(date),
        'request-id': ids.requestId,
        'client-request-id': ids.clientRequestId,
      },
    },
  };
}

export const notFound = (id: string) =>
  new GraphError(404, 'Request_ResourceNotFound', `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`);

// Both 403 bodies are what Graph sends for a missing permission and a missing role alike (no way to tell from the
// body): `accessDenied` "Request Authorization failed" on authentication methods (microsoftgraph/msgraph-sdk-go#441),
// `Authorization_RequestDenied` "Insufficient privileges to complete the operation." on the directory
// (Azure-Samples/ms-identity-python-daemon#8, microsoftgraph/microsoft-graph-docs-contrib#8353).
export const accessDenied = () => new GraphError(403, 'accessDenied', 'Request Authorization failed.');

export const authorizationDenied = () => new GraphError(403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.');

/** Thrown by the IdP's token endpoint; rendered as a 400 with AADSTS-style fields. */
export class OAuthError extends Error {
  constructor(
    readonly error: string,
    readonly aadsts: number,
    readonly description: string,
    readonly suberror?: string,
    readonly status = 400,
  ) {
    super(description);
  }
}

export function oauthErrorBody(e: OAuthError, ids: { traceId: string; correlationId: string }, now: Date) {
  const timestamp = now.toISOString().replace('T', ' ').slice(0, 19) + 'Z';
  return {
    error: e.error,
    error_description: `AADSTS${e.aadsts}: ${e.description}\r\nTrace ID: ${ids.traceId}\r\nCorrelation ID: ${ids.correlationId}\r\nTimestamp: ${timestamp}`,
    error_codes: [e.aadsts],
    timestamp,
    trace_id: ids.traceId,
    correlation_id: ids.correlationId,
    error_uri: `https://login.microsoftonline.com/error?code=${e.aadsts}`,
    ...(e.suberror ? { suberror: e.suberror } : {}),
  };
}
