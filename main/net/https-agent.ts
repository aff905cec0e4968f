// The one place where an HTTPS connection's trust and destination are decided, for every Node client the station
// has (MSAL's network client, the Graph client's fetch). Plain Node: no electron import.
//
// Production: the operating system's certificate store plus Node's bundled roots, and DNS as the system resolves it.
// Tests and the demo: ONLY the emulator's own CA (`caPem`), and Microsoft's real host names mapped to the emulator's
// loopback ports (`hostMap`). The URLs the clients send stay Microsoft's (https://login.microsoftonline.com/…,
// https://graph.microsoft.com/v1.0/…): the mapping only changes where the TCP connection goes, while TLS still checks
// the certificate against the real host name (SNI and the name check use the URL's host). TLS checks are never off.
import https from 'node:https';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';

/** Where a host name's connections go instead of DNS (tests and the demo only). */
export interface HostTarget {
  readonly host: string;
  readonly port: number;
}

/** A host name (lower case, no port) → the loopback address and port serving it. */
export type HostMap = Readonly<Record<string, HostTarget>>;

/** The trust decision handed to every client: absent fields mean production (system store, system DNS). */
export interface Trust {
  /** PEM of the only certificate authority to trust (the emulator's). Absent: the system's store. */
  readonly caPem?: string;
  /** Host names whose connections go to a given address and port (the emulator). Absent: DNS. */
  readonly hostMap?: HostMap;
}

type CaSource = 'default' | 'system' | 'bundled' | 'extra';
const tlsWithStores = tls as typeof tls & { getCACertificates?: (type?: CaSource) => string[] };

/** Node's bundled roots plus the OS store where the runtime can read it (Node ≥ 22.15, i.e. Electron's). */
export function systemTrust(): string[] | undefined {
  const read = tlsWithStores.getCACertificates;
  if (typeof read !== 'function') return undefined; // Node's default roots apply
  try {
    return [...new Set([...read('default'), ...read('system')])];
  } catch {
    return undefined;
  }
}

/** The target for a URL host, if the map names it. Exact names only: no wildcards, no suffix matching. */
export function mappedTarget(hostMap: HostMap | undefined, host: string | null | undefined): HostTarget | undefined {
  if (!hostMap || !host) return undefined;
  const name = host.toLowerCase().replace(/\.$/, '');
  return Object.hasOwn(hostMap, name) ? hostMap[name] : undefined;
}

/** An https.Agent that connects mapped host names to their target, keeping the name for SNI and the name check. */
class MappedAgent extends https.Agent {
  readonly #hostMap: HostMap;

  constructor(options: https.AgentOptions, hostMap: HostMap) {
    super(options);
    this.#hostMap = hostMap;
  }

  override createConnection(
    options: tls.ConnectionOptions & { host?: string },
    callback?: (err: Error | null, stream: Duplex) => void,
  ): Duplex | null | undefined {
    const target = mappedTarget(this.#hostMap, options.host);
    const mapped = target ? { ...options, host: target.host, port: target.port, servername: options.servername || options.host || '' } : options;
    return super.createConnection(mapped, callback);
  }
}

/** The trust fields of any options object, without undefined keys (for spreading into other options). */
export function trustOf(options: { caPem?: string | undefined; hostMap?: HostMap | undefined }): Trust {
  return { ...(options.caPem !== undefined ? { caPem: options.caPem } : {}), ...(options.hostMap !== undefined ? { hostMap: options.hostMap } : {}) };
}

export function createHttpsAgent(trust: Trust, options: Omit<https.AgentOptions, 'ca'> = {}): https.Agent {
  const ca = trust.caPem ?? systemTrust();
  const agentOptions: https.AgentOptions = { ...options, ...(ca ? { ca } : {}) };
  return trust.hostMap && Object.keys(trust.hostMap).length > 0 ? new MappedAgent(agentOptions, trust.hostMap) : new https.Agent(agentOptions);
}
