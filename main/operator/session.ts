// The operator's session: @azure/msal-node's PublicClientApplication, authorization code + PKCE through an
// injected sign-in page (presenter.ts), tokens in memory only, silent refresh, and sign-out / lock that drop
// every token. After sign-in it reads the operator's directory roles and derives what they may do (roles.ts).
//
// Decisions:
// - `prompt=login` on every sign-in: a sign-in cookie a previous operator left in the page's browser session
//   must never sign the next operator in. (The presenter should also use a fresh session; see presenter.ts.)
// - No cache plugin: MSAL keeps its cache in this process's memory and nothing here writes it anywhere.
//   Sign-out and lock remove every account (with its tokens) and then clear MSAL's whole in-memory store.
// - A new sign-in while someone is signed in first drops the previous operator's tokens.
// - A silent refresh the identity provider refuses (revoked sessions, expired or invalid refresh token) drops the
//   account and throws OperatorSignInRequired('session-ended'); a network failure throws
//   IdentityProviderUnreachable and keeps the account (it is transient).
// - Which permissions the tokens are asked with, and the silent fallback from the least method permissions to the
//   broad one when the tenant consented only that: permissions.ts. What MSAL's failures become: msal-errors.ts.
// - The roles are read over a Graph client the station makes (`roleClient`, a directory/graph-client with a tight
//   retry budget), so this folder has no Graph plumbing of its own and does not import directory/.
import { trustOf, type HostMap } from '../net/https-agent';
import { type AccountInfo, type AuthenticationResult, CryptoProvider, PublicClientApplication } from '@azure/msal-node';
import type { Client } from '@microsoft/microsoft-graph-client';
import type { StationConfig } from '../config';
import { type ActiveRole, readActiveRoles, unverifiedJwtClaims, widsFromClaims } from './directory-roles';
import { OperatorError, OperatorSignInCancelled, OperatorSignInFailed, OperatorSignInRequired } from './errors';
import { closedByOperator, mapMsalError, redirectError, type Phase } from './msal-errors';
import { MsalNetworkClient } from './network-client';
import { type MethodPermissionSet, PermissionScopes } from './permissions';
import { readSignInRedirect, type SignInPresenter } from './presenter';
import { capabilityOf, mayReadPoliciesWith, roleDisplayName } from './roles';
import type { OperatorIdentity } from '../../common/operator';

/** What the directory's 403 classifier reads (structurally main/directory/access.ts `AccessFacts`). */
export interface OperatorAccessFacts {
  /** The Graph permissions the identity provider granted this session's tokens (its `scope` answer), no prefix. */
  grantedPermissions: readonly string[] | null;
  capability: OperatorIdentity['capability'];
  mayReadPolicies: boolean;
}

/** Where the sign-in page sends the browser back. A loopback URI: register it under "Mobile and desktop". */
export const DEFAULT_REDIRECT_URI = 'http://localhost/tap-kiosk/signed-in';

/** Sign-in hosts MSAL knows how to discover itself; any other host goes into `knownAuthorities`. */
const MICROSOFT_AUTHORITY_HOSTS = new Set([
  'login.microsoftonline.com',
  'login.windows.net',
  'login.microsoft.com',
  'sts.windows.net',
  'login.microsoftonline.us',
  'login.partner.microsoftonline.cn',
  'login.chinacloudapi.cn',
]);

export interface OperatorSessionOptions {
  /** `https://<sign-in host>/<tenant>/`. */
  authority: string;
  clientId: string;
  /** Where Graph lives (`https://graph.microsoft.com/v1.0`, or the emulator's). Roles are read there. */
  graphBaseUrl: string;
  presenter: SignInPresenter;
  /** Default DEFAULT_REDIRECT_URI. */
  redirectUri?: string;
  /** PEM of the only CA to trust (the emulator's, in demo mode and tests). Absent: the system store. */
  caPem?: string;
  /** Microsoft's host names mapped to the emulator's loopback ports (tests, demo); see main/net/https-agent.ts. */
  hostMap?: HostMap;
  /** Resource prefix of the scopes. Default: see permissions.ts. */
  graphResource?: string;
  /** Deadline of each request to the identity provider. Default 30 s. */
  networkTimeoutMs?: number;
  /**
   * The Graph client the roles are read with, given the session's token source. The station passes one with a
   * tight retry budget (2 retries within 10 s, 15 s an attempt) so a sign-in never hangs on the role read.
   */
  roleClient: RoleClientFactory;
  /** Asked for silently after sign-in and kept only when consented (event mode: GroupMember.ReadWrite.All). */
  optionalPermissions?: readonly string[];
}

/** Makes the Graph client for the role read (`baseUrl`: the session's `graphBaseUrl`), tokens from `getAccessToken`. */
export type RoleClientFactory = (getAccessToken: () => Promise<string>) => Client;

export type OperatorChange =
  | { kind: 'signed-in'; identity: OperatorIdentity }
  /** `replaced`: a new sign-in started while this operator was signed in. */
  | { kind: 'signed-out'; identity: OperatorIdentity; reason: 'signed-out' | 'locked' | 'session-ended' | 'replaced' };

/** How many of each token MSAL's in-memory cache holds (diagnostics and tests: zero after sign-out). */
export interface HeldTokens {
  accounts: number;
  idTokens: number;
  accessTokens: number;
  refreshTokens: number;
}

export class OperatorSession {
  readonly redirectUri: string;
  /** The scopes asked for, the method set that worked, what was granted (permissions.ts). */
  private readonly permissions: PermissionScopes;
  private readonly pca: PublicClientApplication;
  private readonly network: MsalNetworkClient;
  private readonly graph: Client;
  private readonly graphOrigin: string;
  private readonly crypto = new CryptoProvider();
  private readonly host: string;
  private readonly listeners = new Set<(change: OperatorChange) => void>();

  private account: AccountInfo | null = null;
  private identity: OperatorIdentity | null = null;
  /** The sign-in under way, so sign-out, lock and a second sign-in can see and end it. */
  private pending: AbortController | null = null;
  /** Bumped whenever the tokens are dropped: an operation that started before sees it has been overtaken. */
  private generation = 0;

  constructor(private readonly options: OperatorSessionOptions) {
    const authority = new URL(options.authority);
    if (authority.protocol !== 'https:') throw new TypeError('The authority must be an https URL');
    this.host = authority.host;
    this.redirectUri = options.redirectUri ?? DEFAULT_REDIRECT_URI;
    this.permissions = new PermissionScopes(options.graphBaseUrl, options.graphResource, options.optionalPermissions);
    this.network = new MsalNetworkClient({
      ...trustOf(options),
      ...(options.networkTimeoutMs !== undefined ? { timeoutMs: options.networkTimeoutMs } : {}),
    });
    const known = MICROSOFT_AUTHORITY_HOSTS.has(authority.hostname.toLowerCase());
    this.pca = new PublicClientApplication({
      auth: {
        clientId: options.clientId,
        authority: options.authority,
        ...(known ? {} : { knownAuthorities: [authority.host] }),
      },
      system: { networkClient: this.network },
      // No cache plugin: the token cache never leaves this process's memory.
    });
    this.graphOrigin = new URL(options.graphBaseUrl).origin;
    this.graph = options.roleClient(() => this.getAccessToken());
  }

  /** The session for a station's configuration (demo: pass the emulator's CA). */
  static fromConfig(
    config: Pick<StationConfig, 'authority' | 'clientId' | 'graphBaseUrl'>,
    extra: Pick<OperatorSessionOptions, 'presenter' | 'caPem' | 'hostMap' | 'redirectUri' | 'roleClient' | 'optionalPermissions'>,
  ): OperatorSession {
    return new OperatorSession({ authority: config.authority, clientId: config.clientId, graphBaseUrl: config.graphBaseUrl, ...extra });
  }

  current(): OperatorIdentity | null {
    return this.identity;
  }

  /** The scopes every token of this session is asked with: the base and the method set that worked. */
  get scopes(): readonly string[] {
    return this.permissions.scopes;
  }

  /** Which method permissions this session's tokens carry (decided at sign-in; see permissions.ts). */
  methodPermissions(): MethodPermissionSet {
    return this.permissions.methodSet;
  }

  /** What the directory reads when Graph answers 403; null when nobody is signed in. */
  accessFacts(): OperatorAccessFacts | null {
    const identity = this.identity;
    if (!identity) return null;
    return { grantedPermissions: this.permissions.granted, capability: identity.capability, mayReadPolicies: identity.mayReadPolicies };
  }

  /** Subscribes to sign-in and sign-out (including a session the identity provider ended); returns the unsubscribe. */
  onChange(listener: (change: OperatorChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Interactive sign-in: shows the sign-in page through the presenter, redeems the code (PKCE), reads the
   * operator's roles. Rejects with OperatorSignInCancelled (page closed, `signal` aborted, sign-out or lock
   * meanwhile), OperatorSignInFailed, or IdentityProviderUnreachable; the station is then signed out.
   */
  async signIn(signal?: AbortSignal, options: { loginHint?: string } = {}): Promise<OperatorIdentity> {
    if (this.pending) throw new OperatorSignInFailed('busy', 'A sign-in is already in progress.');
    const controller = new AbortController();
    this.pending = controller;
    const forward = () => controller.abort(signal?.reason);
    signal?.addEventListener('abort', forward, { once: true });
    if (signal?.aborted) controller.abort(signal.reason);
    try {
      if (controller.signal.aborted) throw new OperatorSignInCancelled(); // before anyone is signed out for it
      if (this.identity || this.account) await this.drop('replaced');
      const generation = this.generation;
      const identity = await this.interactive(controller.signal, generation, options.loginHint);
      if (controller.signal.aborted || generation !== this.generation) throw new OperatorSignInCancelled();
      this.identity = identity;
      this.emit({ kind: 'signed-in', identity });
      return identity;
    } catch (e) {
      // Whatever was minted on the way (a redeemed code, a role read that failed half-way) goes.
      if (!this.identity) {
        this.account = null;
        await this.forgetTokens();
      }
      throw controller.signal.aborted && !(e instanceof OperatorSignInCancelled) ? new OperatorSignInCancelled() : e;
    } finally {
      signal?.removeEventListener('abort', forward);
      if (this.pending === controller) this.pending = null;
    }
  }

  /**
   * A current access token for Graph with the given scopes (default: all of the kiosk's), from the cache or
   * refreshed silently through the refresh token. `forceRefresh` skips the cached access token.
   * Throws OperatorSignInRequired when nobody is signed in (no network call) or when the identity provider
   * refuses the refresh (the account is then dropped), IdentityProviderUnreachable on network failure.
   */
  async getAccessToken(options: { scopes?: readonly string[]; forceRefresh?: boolean } = {}): Promise<string> {
    const account = this.account;
    if (!account) throw new OperatorSignInRequired('signed-out');
    const generation = this.generation;
    let result: AuthenticationResult;
    try {
      result = await this.pca.acquireTokenSilent({ account, scopes: [...(options.scopes ?? this.scopes)], forceRefresh: options.forceRefresh ?? false });
    } catch (e) {
      const mapped = mapMsalError(e, 'silent', this.host);
      if (mapped instanceof OperatorSignInRequired && generation === this.generation) await this.drop('session-ended');
      throw mapped;
    }
    if (generation !== this.generation) {
      // Signed out (or locked) while the refresh was in flight: what it brought back must not stay.
      await this.forgetTokens();
      throw new OperatorSignInRequired('signed-out');
    }
    if (options.scopes === undefined) this.permissions.record(result);
    return result.accessToken;
  }

  /** Drops every token and the operator. Ends a sign-in under way (it rejects with OperatorSignInCancelled). */
  async signOut(): Promise<void> {
    await this.drop('signed-out');
  }

  /** Idle lock: as sign-out (every token goes), reported as `locked`. */
  async lock(): Promise<void> {
    await this.drop('locked');
  }

  /** Shutdown: drops every token and closes the identity provider connections. */
  async dispose(): Promise<void> {
    await this.drop('signed-out');
    this.network.dispose();
  }

  heldTokens(): HeldTokens {
    const cache = JSON.parse(this.pca.getTokenCache().serialize()) as Record<string, Record<string, unknown> | undefined>;
    const count = (section: string) => Object.keys(cache[section] ?? {}).length;
    return { accounts: count('Account'), idTokens: count('IdToken'), accessTokens: count('AccessToken'), refreshTokens: count('RefreshToken') };
  }

  // -------------------------------------------------------------------------------------------------------------

  private async interactive(signal: AbortSignal, generation: number, loginHint?: string): Promise<OperatorIdentity> {
    const cancelled = () => new OperatorSignInCancelled();
    if (signal.aborted) throw cancelled();
    const { verifier, challenge } = await this.crypto.generatePkceCodes();
    const state = this.crypto.createNewGuid();
    const nonce = this.crypto.createNewGuid();

    const url = await this.untilAborted(
      signal,
      this.pca.getAuthCodeUrl({
        scopes: [...this.permissions.base],
        redirectUri: this.redirectUri,
        responseMode: 'query',
        codeChallenge: challenge,
        codeChallengeMethod: 'S256',
        state,
        nonce,
        prompt: 'login',
        ...(loginHint ? { loginHint } : {}), // unlock: the page opens at this user name (ports.ts OperatorPort)
      }),
      'sign-in',
    );

    let returned: string;
    try {
      returned = await this.untilAborted(signal, this.options.presenter({ url, redirectUri: this.redirectUri, signal }), 'sign-in', true);
    } catch (e) {
      if (e instanceof OperatorError) throw e;
      if (closedByOperator(e)) throw cancelled();
      throw new OperatorSignInFailed('presenter', 'The sign-in page could not be shown.', undefined, { cause: e });
    }

    const redirect = readSignInRedirect(returned, this.redirectUri, state);
    if (redirect.kind === 'error') throw redirectError(redirect.error, redirect.description, this.host);

    const exchange = this.pca.acquireTokenByCode(
      { code: redirect.code, scopes: [...this.permissions.base], redirectUri: this.redirectUri, codeVerifier: verifier, state },
      { code: redirect.code, state: redirect.state, nonce, ...(redirect.clientInfo ? { client_info: redirect.clientInfo } : {}) },
    );
    // If the wait is abandoned (cancel), the tokens it may still bring back are removed when they arrive.
    exchange.then(() => (signal.aborted || generation !== this.generation ? this.forgetTokens() : undefined)).catch(() => undefined);
    const result = await this.untilAborted(signal, exchange, 'sign-in');
    if (!result.account) throw new OperatorSignInFailed('refused', 'The identity provider returned no account.');
    if (generation !== this.generation) throw cancelled();
    this.account = result.account;
    this.permissions.record(result);
    const mapError = (e: unknown) => mapMsalError(e, 'sign-in', this.host);
    await this.untilAborted(signal, this.permissions.choose(this.pca, result.account, mapError), 'sign-in', true);
    if (signal.aborted || generation !== this.generation) throw cancelled();

    const roles = await this.untilAborted(signal, this.roles(result), 'sign-in', true);
    if (signal.aborted || generation !== this.generation) throw cancelled();
    const ids = roles.roles.map((r) => r.roleTemplateId);
    const named = roles.roles
      .map((r) => ({ id: r.roleTemplateId, name: roleDisplayName(r.roleTemplateId, r.displayName) }))
      .sort((a, b) => a.name.localeCompare(b.name));
    const account = result.account;
    return {
      id: account.localAccountId,
      userPrincipalName: account.username,
      displayName: account.name?.trim() || account.username,
      roleTemplateIds: named.map((r) => r.id),
      roleNames: named.map((r) => r.name),
      capability: capabilityOf(ids),
      mayReadPolicies: mayReadPoliciesWith(ids),
      rolesFrom: roles.from,
    };
  }

  /** Graph first; the tokens' `wids` claim only when Graph fails (and an empty list when there is none). */
  private async roles(result: AuthenticationResult): Promise<{ from: 'directory' | 'token'; roles: ActiveRole[] }> {
    try {
      return { from: 'directory', roles: await readActiveRoles(this.graph, this.graphOrigin) };
    } catch (e) {
      // The session itself failing (revoked meanwhile, signed out) is not something to fall back from.
      if (e instanceof OperatorError || !this.account) throw e instanceof OperatorError ? e : new OperatorSignInCancelled();
      const wids = widsFromClaims(result.idTokenClaims) ?? widsFromClaims(unverifiedJwtClaims(result.accessToken)) ?? [];
      return { from: 'token', roles: wids.map((roleTemplateId) => ({ roleTemplateId, displayName: null })) };
    }
  }

  /** Waits for `work` unless `signal` aborts first; maps MSAL's errors. */
  private async untilAborted<T>(signal: AbortSignal, work: Promise<T>, phase: Phase, passThrough = false): Promise<T> {
    let onAbort: (() => void) | undefined;
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => reject(new OperatorSignInCancelled());
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      return await Promise.race([work, aborted]);
    } catch (e) {
      if (signal.aborted) throw new OperatorSignInCancelled();
      if (passThrough || e instanceof OperatorError) throw e;
      throw mapMsalError(e, phase, this.host);
    } finally {
      if (onAbort) signal.removeEventListener('abort', onAbort);
      // The loser of the race must not surface as an unhandled rejection.
      work.catch(() => undefined);
      aborted.catch(() => undefined);
    }
  }

  /** Signs the operator out of the station: every token, the identity, a sign-in under way. */
  private async drop(reason: 'signed-out' | 'locked' | 'session-ended' | 'replaced'): Promise<void> {
    const identity = this.identity;
    this.generation += 1;
    this.identity = null;
    this.account = null;
    this.permissions.reset();
    if (reason !== 'replaced') this.pending?.abort(new OperatorSignInCancelled());
    await this.forgetTokens();
    if (identity) this.emit({ kind: 'signed-out', identity, reason });
  }

  /** Removes every account MSAL holds (with its tokens) and clears its in-memory store; keeps the current one. */
  private async forgetTokens(): Promise<void> {
    const cache = this.pca.getTokenCache();
    const keep = this.account?.homeAccountId;
    const accounts = await cache.getAllAccounts();
    for (const account of accounts) if (account.homeAccountId !== keep) await cache.removeAccount(account);
    if (!keep) this.pca.clearCache();
  }

  private emit(change: OperatorChange): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(change);
      } catch {
        // A listener's failure is its own; the session's state is already consistent.
      }
    }
  }
}
