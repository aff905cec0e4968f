// Which Graph permissions the operator's tokens are asked with, and which of them the tenant consented.
//
// - Scopes carry the Graph resource prefix, derived from the Graph base URL for Microsoft's Graph hosts (so a
//   sovereign cloud asks its own Graph) and https://graph.microsoft.com otherwise (the emulator answers to it).
// - Least privilege: the interactive sign-in asks only for BASE_PERMISSIONS; right after it, the session asks
//   silently for the least method permissions (METHOD_PERMISSIONS.least) and, when Entra answers that nobody
//   consented them (AADSTS65001), for the broad one (`choose`). Every later token is asked with the set that
//   worked (`scopes`). Asking for a permission nobody consented at the interactive sign-in would show the operator
//   a consent page they cannot pass (admin consent), so the fallback happens silently, over the refresh token.
// - What the identity provider granted (its `scope` answer, without the prefix) is kept for the directory's 403
//   classifier (session.ts `accessFacts`).
import { type AccountInfo, AuthError, type AuthenticationResult, type PublicClientApplication } from '@azure/msal-node';

/** The Graph permissions (delegated) the station needs in every tenant: asked for at the interactive sign-in. */
export const BASE_PERMISSIONS = ['User.Read', 'User.Read.All', 'Policy.Read.AuthenticationMethod', 'User.RevokeSessions.All'] as const;

/**
 * The permissions for the pass and the security keys, least first. Microsoft documents the method-specific ones as
 * the least privileged for creating and deleting a pass (`UserAuthMethod-TAP.ReadWrite.All`) and for listing and
 * deleting passkeys (`UserAuthMethod-Passkey.ReadWrite.All`); `UserAuthenticationMethod.ReadWrite.All` is "higher
 * privileged" for both (permission tables of authentication-post-temporaryaccesspassmethods,
 * fido2authenticationmethod-get/-delete and authentication-post-fido2methods on Microsoft Learn). A tenant
 * consented only the broad one before the narrow ones existed; the station falls back to it (`methodPermissions`).
 */
export const METHOD_PERMISSIONS = {
  least: ['UserAuthMethod-TAP.ReadWrite.All', 'UserAuthMethod-Passkey.ReadWrite.All'],
  broad: ['UserAuthenticationMethod.ReadWrite.All'],
} as const;

/** What the app registration should be consented for (README "Install at a desk"): the base and the least set. */
export const OPERATOR_PERMISSIONS = [...BASE_PERMISSIONS, ...METHOD_PERMISSIONS.least] as const;

/** Which method permissions this session's tokens carry: `none` when the tenant consented neither set. */
export type MethodPermissionSet = keyof typeof METHOD_PERMISSIONS | 'none';

/** Entra's "nobody consented this permission" on a silent request: AADSTS65001, suberror consent_required. */
function notConsented(e: unknown): boolean {
  if (!(e instanceof AuthError)) return false;
  return e.subError === 'consent_required' || e.errorCode === 'consent_required' || /AADSTS65001\b/.test(e.errorMessage);
}

const MICROSOFT_GRAPH_HOSTS = new Set(['graph.microsoft.com', 'graph.microsoft.us', 'dod-graph.microsoft.us', 'microsoftgraph.chinacloudapi.cn']);

/** Microsoft Graph's resource id, the scope prefix for any Graph host that is not one of Microsoft's (the emulator). */
const GRAPH_RESOURCE = 'https://graph.microsoft.com';

function defaultGraphResource(graphBaseUrl: string): string {
  const url = new URL(graphBaseUrl);
  return MICROSOFT_GRAPH_HOSTS.has(url.hostname.toLowerCase()) ? url.origin : GRAPH_RESOURCE;
}

/** The scopes of one operator session: the base, the method set that worked, what was granted. */
export class PermissionScopes {
  /** BASE_PERMISSIONS with the resource prefix: the interactive sign-in asks for these. */
  readonly base: readonly string[];
  private readonly method: Readonly<Record<keyof typeof METHOD_PERMISSIONS, readonly string[]>>;
  private readonly resource: string;
  private chosen: MethodPermissionSet = 'least';
  /** Asked for silently after the method set, kept only when consented (event mode: GroupMember.ReadWrite.All). */
  private readonly wanted: readonly string[];
  /** The optional permissions the tenant consented (with the resource prefix), asked with every token. */
  private optional: readonly string[] = [];
  /** What the identity provider last granted (its `scope` answer, without the resource prefix). */
  private grantedNow: readonly string[] | null = null;

  /** `graphResource`: the scopes' resource prefix; default: see the header. */
  constructor(graphBaseUrl: string, graphResource?: string, optionalPermissions: readonly string[] = []) {
    const resource = (graphResource ?? defaultGraphResource(graphBaseUrl)).replace(/\/+$/, '');
    this.resource = resource;
    this.base = BASE_PERMISSIONS.map((p) => `${resource}/${p}`);
    this.method = {
      least: METHOD_PERMISSIONS.least.map((p) => `${resource}/${p}`),
      broad: METHOD_PERMISSIONS.broad.map((p) => `${resource}/${p}`),
    };
    this.wanted = optionalPermissions.map((p) => `${resource}/${p}`);
  }

  /** The scopes every token of this session is asked with: the base and the method set that worked. */
  get scopes(): readonly string[] {
    const method = this.chosen === 'none' ? [] : this.method[this.chosen];
    return [...this.base, ...method, ...this.optional];
  }

  /** Which method permissions this session's tokens carry (decided at sign-in). */
  get methodSet(): MethodPermissionSet {
    return this.chosen;
  }

  /** The Graph permissions the identity provider last granted, no prefix; null before any token. */
  get granted(): readonly string[] | null {
    return this.grantedNow;
  }

  /** Keeps what a token answer granted. */
  record(result: AuthenticationResult): void {
    this.grantedNow = this.grantedOf(result);
  }

  /**
   * The least method permissions the tenant consented: the least set, else the broad one, else none (every call
   * that needs one then gets 403, which the directory reads as a missing consent and names the permission).
   * Any other failure of the silent request is thrown as `mapError` makes it.
   */
  async choose(pca: PublicClientApplication, account: AccountInfo, mapError: (e: unknown) => Error): Promise<void> {
    for (const set of ['least', 'broad'] as const) {
      try {
        const result = await pca.acquireTokenSilent({ account, scopes: [...this.base, ...this.method[set]] });
        this.chosen = set;
        this.record(result);
        return await this.addOptional(pca, account, mapError);
      } catch (e) {
        if (!notConsented(e)) throw mapError(e);
      }
    }
    this.chosen = 'none';
  }

  /** The optional permissions, kept when the tenant consented them (a refusal of consent leaves them out, nothing else). */
  private async addOptional(pca: PublicClientApplication, account: AccountInfo, mapError: (e: unknown) => Error): Promise<void> {
    if (this.wanted.length === 0) return;
    try {
      this.record(await pca.acquireTokenSilent({ account, scopes: [...this.scopes, ...this.wanted] }));
      this.optional = this.wanted;
    } catch (e) {
      if (!notConsented(e)) throw mapError(e);
    }
  }

  /** Back to the start (the operator's tokens were dropped). */
  reset(): void {
    this.chosen = 'least';
    this.optional = [];
    this.grantedNow = null;
  }

  /** The Graph permissions of a token answer, without the resource prefix (OIDC scopes left out). */
  private grantedOf(result: AuthenticationResult): string[] {
    const prefix = `${this.resource.toLowerCase()}/`;
    return result.scopes.filter((s) => s.toLowerCase().startsWith(prefix)).map((s) => s.slice(prefix.length));
  }
}
