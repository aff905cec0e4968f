// What every route module of the emulator shares.
import type { EmulatorClock } from './clock';
import type { FaultInjector } from './faults';
import type { TenantState } from './store';
import type { Throttle } from './throttle';
import type { TokenService } from './tokens';

export interface EmulatorUrls {
  /** https://localhost:<port> — IdP, Graph and the admin API share this origin. */
  origin: string;
  /** The MSAL authority: `<origin>/<tenantId>/`. */
  authority: string;
  /** Host and port for MSAL's `knownAuthorities`. */
  authorityHost: string;
  issuer: string;
  graph: string;
  graphBeta: string;
  admin: string;
  /** http://localhost:<port> — My Security Info (a secure context, so WebAuthn works). */
  mySecurityInfo: string;
}

export interface RequestLogEntry {
  at: string;
  method: string;
  path: string;
  query: string;
  status: number;
  requestId: string;
  /** Which surface answered: Graph, the identity provider, or My Security Info. */
  surface: 'graph' | 'idp' | 'mysignins';
  resourceUnits?: number;
  fault?: string;
  /** Replayed from inside a `$batch` (the envelope is logged on its own as `/$batch`). */
  inBatch?: true;
}

export interface EmulatorContext {
  state: TenantState;
  clock: EmulatorClock;
  tokens: TokenService;
  faults: FaultInjector;
  throttle: Throttle;
  requests: RequestLogEntry[];
  /** Every pass the emulator created since it started (never cleared by reset): the leak scans look for each. */
  issuedPasses: string[];
  urls: EmulatorUrls;
  /** Route modules keep their own state (codes, sessions, challenges) and clear it here on reset. */
  onReset(fn: () => void): void;
}
