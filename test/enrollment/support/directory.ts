// A DirectoryPort for the lifecycle tests until the real gateway (main/directory/gateway.ts) is wired in: the
// real Graph client against the emulator, a few lines per method, failures as the gateway's DirectoryError.
import { ResponseType } from '@microsoft/microsoft-graph-client';
import { createGraphClient } from '../../../main/directory/graph-client';
import { fromGraphClientError, fromResponse } from '../../../main/directory/errors';
import type { IssuedTap, SecurityKeyMethod, TapMethod } from '../../../main/directory/types';
import type { DirectoryPort } from '../../../main/enrollment/ports';
import type { Emulator } from '../../emulator';
import { accessTokenFor } from '../../emulator/support/tokens';

export const OPERATOR_UPN = 'patti.fernandez@tapkioskdemo.onmicrosoft.com';

type Lifecycle = Pick<DirectoryPort, 'createTap' | 'listTaps' | 'getTap' | 'deleteTap' | 'listSecurityKeys'>;

/** `retries: 0` lets the lifecycle see each failure (the deleter's own retries are what is tested). */
export function emulatorDirectory(emu: Emulator, options: { retries?: number; operator?: string } = {}): Lifecycle {
  return graphDirectory({
    graph: emu.urls.graph,
    caPem: emu.caPem,
    getAccessToken: () => accessTokenFor(emu, options.operator ?? OPERATOR_UPN),
    retries: options.retries ?? 0,
  });
}

/** The same over explicit connection facts (a child process gets them from its parent). */
export function graphDirectory(connection: { graph: string; caPem: string; getAccessToken: () => Promise<string>; retries?: number }): Lifecycle {
  const client = createGraphClient({
    baseUrl: connection.graph,
    caPem: connection.caPem,
    getAccessToken: connection.getAccessToken,
    retry: { maxRetries: connection.retries ?? 0, delaySeconds: 0, budgetMs: 5_000 },
  });

  async function call(method: 'GET' | 'POST' | 'DELETE', path: string, operation: string, body?: unknown, signal?: AbortSignal) {
    let response: Response;
    try {
      let request = client.api(path).responseType(ResponseType.RAW);
      if (signal) request = request.option('signal', signal);
      response = (await (method === 'GET' ? request.get() : method === 'POST' ? request.post(body) : request.delete())) as Response;
    } catch (error) {
      throw fromGraphClientError(error, operation, { tapCreate: method === 'POST' });
    }
    const text = await response.text();
    if (!response.ok) throw fromResponse({ status: response.status, headers: response.headers, body: text }, operation, { tapCreate: method === 'POST' });
    return { json: (text ? JSON.parse(text) : null) as Record<string, unknown> | null, requestId: response.headers.get('request-id') };
  }

  const tapOf = (raw: Record<string, unknown>): TapMethod => ({
    id: String(raw.id),
    createdDateTime: String(raw.createdDateTime),
    startDateTime: String(raw.startDateTime),
    lifetimeInMinutes: Number(raw.lifetimeInMinutes),
    isUsableOnce: Boolean(raw.isUsableOnce),
    isUsable: Boolean(raw.isUsable),
    methodUsabilityReason: String(raw.methodUsabilityReason),
  });
  const keyOf = (raw: Record<string, unknown>): SecurityKeyMethod => ({
    id: String(raw.id),
    displayName: (raw.displayName as string | null) ?? null,
    aaGuid: (raw.aaGuid as string | null) ?? null,
    model: (raw.model as string | null) ?? null,
    createdDateTime: (raw.createdDateTime as string | null) ?? null,
    attestationLevel: (raw.attestationLevel as 'attested' | 'notAttested' | null) ?? null,
  });
  const base = (userId: string) => `/users/${encodeURIComponent(userId)}/authentication`;

  return {
    async createTap(userId, request) {
      const { json, requestId } = await call('POST', `${base(userId)}/temporaryAccessPassMethods`, 'create a Temporary Access Pass', request);
      const raw = json ?? {};
      return { ...tapOf(raw), temporaryAccessPass: String(raw.temporaryAccessPass), requestId } satisfies IssuedTap;
    },
    async listTaps(userId, signal) {
      const { json } = await call('GET', `${base(userId)}/temporaryAccessPassMethods`, 'list Temporary Access Passes', undefined, signal);
      return ((json?.value as Record<string, unknown>[]) ?? []).map(tapOf);
    },
    async getTap(userId, tapId, signal) {
      try {
        const { json } = await call('GET', `${base(userId)}/temporaryAccessPassMethods/${tapId}`, 'read the Temporary Access Pass', undefined, signal);
        return json ? tapOf(json) : null;
      } catch (error) {
        if ((error as { kind?: string }).kind === 'not-found') return null;
        throw error;
      }
    },
    async deleteTap(userId, tapId, signal) {
      try {
        const { requestId } = await call('DELETE', `${base(userId)}/temporaryAccessPassMethods/${tapId}`, 'delete the Temporary Access Pass', undefined, signal);
        return { requestId };
      } catch (error) {
        const e = error as { kind?: string; requestId?: string | null };
        if (e.kind === 'not-found') return { requestId: e.requestId ?? null };
        throw error;
      }
    },
    async listSecurityKeys(userId, signal) {
      const { json } = await call('GET', `${base(userId)}/fido2Methods`, 'list security keys', undefined, signal);
      return ((json?.value as Record<string, unknown>[]) ?? []).map(keyOf);
    },
  };
}
