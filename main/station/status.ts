/**
 * The station's own status for the "Station status" screen and the header: the configuration, whether the
 * tenant's sign-in endpoint answers, and the key reader. Plain Node.
 *
 * Tenant reachable = a GET of the authority's OpenID configuration (`<authority>/v2.0/.well-known/openid-configuration`)
 * with the station's network client (same trust as the operator's sign-in), at start and after each sign-in.
 */
import type { StationNote } from '../../common/codes';
import { journalHealthOf } from '../audit/health';

export { journalHealthOf } from '../audit/health';
import type { StationStatus } from '../../common/contract';
import type { EventModeStatus } from '../../common/event';
import type { StationStatusSource } from '../ipc/handlers';
import type { ReaderState } from '../keys/watcher';

/** A GET that answers the HTTP status (the MSAL network client's shape). */
export interface StatusHttpClient {
  sendGetRequestAsync<T>(url: string, options?: unknown, timeout?: number): Promise<{ status: number; body: T }>;
}

export function openIdConfigurationUrl(authority: string): string {
  return `${authority.replace(/\/+$/, '')}/v2.0/.well-known/openid-configuration`;
}

export interface StationStatusOptions {
  stationId: string;
  demo: boolean;
  language: 'en' | 'de';
  config: StationStatus['config'];
  /** Default `'ok'` (the journal opened, which writes); null when no journal is open. */
  journal?: StationStatus['journal'];
  now?: () => number;
}

export class StationStatusStore implements StationStatusSource {
  #status: StationStatus;
  readonly #listeners = new Set<(status: StationStatus) => void>();
  readonly #now: () => number;

  constructor(options: StationStatusOptions) {
    this.#now = options.now ?? Date.now;
    this.#status = {
      stationId: options.stationId,
      demo: options.demo,
      language: options.language,
      config: options.config,
      tenant: { status: 'unknown', note: null, checkedAt: null },
      keyReader: { status: 'starting', note: null },
      journal: options.journal === undefined ? 'ok' : options.journal,
    };
  }

  current(): StationStatus {
    return this.#status;
  }

  subscribe(listener: (status: StationStatus) => void): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  setTenant(tenant: StationStatus['tenant']): void {
    this.#set({ ...this.#status, tenant });
  }

  /** From the KeyWatcher's reader state. */
  setEvent(event: EventModeStatus): void {
    this.#set({ ...this.#status, event });
  }

  setKeyReader(reader: ReaderState): void {
    const keyReader: StationStatus['keyReader'] =
      reader.status === 'unavailable'
        ? { status: 'unavailable', note: { code: 'key-reader.failed', params: { detail: reader.message } } }
        : { status: reader.status, note: null };
    const was = this.#status.keyReader;
    if (was.status === keyReader.status && JSON.stringify(was.note) === JSON.stringify(keyReader.note)) return;
    this.#set({ ...this.#status, keyReader });
  }

  /** From the journal's last write: null = it succeeded, else its error (`journalHealthOf`). */
  setJournalOutcome(error: unknown): void {
    const journal = journalHealthOf(error);
    if (this.#status.journal === journal) return;
    this.#set({ ...this.#status, journal });
  }

  /** Asks the tenant's sign-in endpoint once; never throws. */
  async checkTenant(http: StatusHttpClient, authority: string, timeoutMs = 10_000): Promise<StationStatus['tenant']> {
    let tenant: StationStatus['tenant'];
    try {
      const response = await http.sendGetRequestAsync<unknown>(openIdConfigurationUrl(authority), undefined, timeoutMs);
      tenant =
        response.status >= 200 && response.status < 300
          ? { status: 'reachable', note: null, checkedAt: this.#now() }
          : { status: 'unreachable', note: { code: 'tenant.http-status', params: { status: response.status } }, checkedAt: this.#now() };
    } catch (error) {
      const reason = (error instanceof Error ? error.message : String(error)).split(/\r?\n/)[0]?.slice(0, 300) ?? '';
      tenant = { status: 'unreachable', note: { code: 'tenant.no-answer', params: { detail: reason } }, checkedAt: this.#now() };
    }
    this.setTenant(tenant);
    return tenant;
  }

  #set(next: StationStatus): void {
    this.#status = next;
    for (const listener of [...this.#listeners]) listener(next);
  }
}

/** A status source for a station whose configuration could not be loaded. */
export function configFailedStatus(o: { stationId: string; demo: boolean; file: string; note: StationNote }): StationStatusStore {
  return new StationStatusStore({ stationId: o.stationId, demo: o.demo, language: 'en', config: { ok: false, file: o.file, note: o.note }, journal: null });
}
