// MSAL's network module over node:https, with an explicit trust decision: in production the operating system's
// certificate store (plus Node's bundled roots), in demo mode only the emulator's own CA. TLS verification is
// never switched off. Plain Node: no electron import.
import https from 'node:https';
import { ClientAuthError, ClientAuthErrorCodes, type INetworkModule, type NetworkRequestOptions, type NetworkResponse } from '@azure/msal-node';
import { createHttpsAgent, trustOf, type HostMap } from '../net/https-agent';

export interface NetworkClientOptions {
  /**
   * PEM of the only certificate authority to trust (the emulator's, for the demo and tests). When absent, the
   * system's store is trusted, as for login.microsoftonline.com in production.
   */
  caPem?: string;
  /** Microsoft's host names mapped to the emulator's loopback ports (tests, demo); see main/net/https-agent.ts. */
  hostMap?: HostMap;
  /** Whole-request deadline in milliseconds (connect, send, receive). Default 30 s. */
  timeoutMs?: number;
  /** Responses larger than this are refused. Default 1 MiB; token responses are a few kilobytes. */
  maxResponseBytes?: number;
}

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_RESPONSE_BYTES = 1024 * 1024;

function networkError(correlationId: string | undefined, message: string): ClientAuthError {
  return new ClientAuthError(ClientAuthErrorCodes.networkError, correlationId ?? '', message);
}

function headerDict(headers: NodeJS.Dict<string | string[]>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    out[key.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

export class MsalNetworkClient implements INetworkModule {
  private readonly agent: https.Agent;
  private readonly timeoutMs: number;
  private readonly maxResponseBytes: number;

  constructor(options: NetworkClientOptions = {}) {
    this.agent = createHttpsAgent(trustOf(options), { keepAlive: true });
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  }

  sendGetRequestAsync<T>(url: string, options?: NetworkRequestOptions, timeout?: number): Promise<NetworkResponse<T>> {
    return this.send<T>('GET', url, options, timeout);
  }

  sendPostRequestAsync<T>(url: string, options?: NetworkRequestOptions): Promise<NetworkResponse<T>> {
    return this.send<T>('POST', url, options);
  }

  /** Closes idle keep-alive connections (at sign-out or shutdown). */
  dispose(): void {
    this.agent.destroy();
  }

  private send<T>(method: 'GET' | 'POST', url: string, options: NetworkRequestOptions | undefined, timeout?: number): Promise<NetworkResponse<T>> {
    const correlationId = options?.correlationId;
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      return Promise.reject(networkError(correlationId, `Network request failed: invalid URL`));
    }
    if (target.protocol !== 'https:') {
      return Promise.reject(networkError(correlationId, `Network request failed: refusing ${target.protocol} (HTTPS only)`));
    }
    const deadline = Math.min(timeout && timeout > 0 ? timeout : this.timeoutMs, this.timeoutMs);
    const body = method === 'POST' ? Buffer.from(options?.body ?? '', 'utf8') : undefined;
    const headers: Record<string, string> = { ...(options?.headers ?? {}) };
    if (body) headers['Content-Length'] = String(body.length);

    return new Promise<NetworkResponse<T>>((resolve, reject) => {
      let settled = false;
      const fail = (e: ClientAuthError) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        req.destroy();
        reject(e);
      };
      const req = https.request(target, { method, headers, agent: this.agent }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > this.maxResponseBytes) fail(networkError(correlationId, 'Network request failed: response too large'));
          else chunks.push(chunk);
        });
        res.on('error', (e) => fail(networkError(correlationId, `Network request failed: ${e.message}`)));
        res.on('end', () => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: T;
          try {
            parsed = JSON.parse(text) as T;
          } catch (e) {
            reject(
              new ClientAuthError(
                ClientAuthErrorCodes.tokenParsingError,
                correlationId ?? '',
                `Failed to parse response: ${e instanceof Error ? e.message : 'unknown'} (HTTP ${res.statusCode ?? 0})`,
              ),
            );
            return;
          }
          resolve({ headers: headerDict(res.headers), body: parsed, status: res.statusCode ?? 0 });
        });
      });
      const timer = setTimeout(() => fail(networkError(correlationId, 'Request timeout')), deadline);
      req.on('error', (e) => fail(networkError(correlationId, `Network request failed: ${e.message}`)));
      req.end(body);
    });
  }
}
