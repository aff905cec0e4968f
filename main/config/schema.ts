/**
 * The station's configuration file, as one zod schema. `StationConfig` is inferred from it, so the file
 * format, the defaults and the checks cannot drift apart.
 *
 * Two modes:
 * - production (`demo` false, the default): every tenant field is required and nothing falls back to the
 *   emulator. URLs must be https; the authority, Graph and My Security Info must be on Microsoft's hosts
 *   (public cloud, US Government, China) unless the administrator sets `allowCustomHosts: true`, which
 *   relaxes the host list only — never https.
 * - demo (`demo` true): the loader fills the tenant fields from the running emulator (see load.ts), and
 *   plain http is accepted for loopback hosts (the emulator's My Security Info is http://localhost, a
 *   secure context for WebAuthn).
 * Rules that hold in both: the authority names this tenant (`<origin>/<tenantId>[/]`), so a copy-pasted
 * authority from another tenant is caught here rather than at the first sign-in.
 */
import { z } from 'zod';

/** Hosts Microsoft documents for each sovereign cloud. Anything else needs `allowCustomHosts`. */
export const MICROSOFT_HOSTS = {
  authority: ['login.microsoftonline.com', 'login.microsoftonline.us', 'login.partner.microsoftonline.cn'],
  graphBaseUrl: ['graph.microsoft.com', 'graph.microsoft.us', 'dod-graph.microsoft.us', 'microsoftgraph.chinacloudapi.cn'],
  mySecurityInfoUrl: ['mysignins.microsoft.com'],
} as const;

export type UrlField = keyof typeof MICROSOFT_HOSTS;

/** Graph accepts 10 to 43200 minutes (30 days); the tenant policy narrows it further at pre-flight. */
export const TAP_LIFETIME_BOUNDS = { min: 10, max: 43_200 } as const;

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** A DNS name with at least one dot, e.g. contoso.onmicrosoft.com or contoso.com. */
const DOMAIN = /^(?=.{4,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;
/** File-name-safe: it becomes part of the audit journal's file names. */
const STATION_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

const url = (what: string) => z.string({ error: `must be a URL (${what})` }).refine((value) => URL.canParse(value), { error: `must be a URL (${what})` });

const GROUP_ID = { error: "must be a GUID (the group's Object ID)" };

/** Event mode: the roster group, the claim group, when the event started and how people may be enrolled. */
export const eventConfigSchema = z
  .strictObject({
    name: z.string({ error: 'must be text' }).trim().min(1, { error: 'must not be empty' }).max(100, { error: 'must be at most 100 characters' }),
    rosterGroupId: z.string(GROUP_ID).regex(GUID, GROUP_ID),
    claimGroupId: z.string(GROUP_ID).regex(GUID, GROUP_ID),
    /** A passkey created at or after this instant counts as done. ISO 8601 with a zone. */
    startDateTime: z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date and time with a zone, e.g. 2026-03-02T08:00:00+01:00' }),
    modes: z
      .array(z.enum(['tap-my-security-info', 'provision-at-desk'], { error: 'must be "tap-my-security-info" or "provision-at-desk"' }))
      .min(1, { error: 'must name at least one mode' })
      .refine((m) => new Set(m).size === m.length, { error: 'must not name a mode twice' }),
    /** A claim older than this may be released by an operator (after a confirmation). */
    staleClaimMinutes: z
      .int({ error: 'must be a whole number of minutes from 5 to 720' })
      .min(5, { error: 'must be a whole number of minutes from 5 to 720' })
      .max(720, { error: 'must be a whole number of minutes from 5 to 720' })
      .default(30),
  })
  .refine((e) => typeof e.rosterGroupId !== 'string' || e.rosterGroupId.toLowerCase() !== e.claimGroupId.toLowerCase(), {
    path: ['claimGroupId'],
    error: 'must be another group than the roster (membership in it is the claim)',
  });
export type EventConfig = z.output<typeof eventConfigSchema>;

export const stationConfigSchema = z
  .strictObject({
    /** Demo: tenant fields come from the emulator and loopback http is allowed. Never implied. */
    demo: z.boolean({ error: 'must be true or false' }).default(false),
    /** Name of this station in the audit journal and its file names. Default: the host name. */
    stationId: z.string({ error: 'must be text' }).regex(STATION_ID, {
      error: 'must be 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit',
    }),
    tenantId: z.string({ error: 'must be a GUID or a verified domain' }).refine((v) => GUID.test(v) || DOMAIN.test(v), {
      error: 'must be a GUID or a verified domain',
    }),
    clientId: z.string({ error: "must be a GUID (the app registration's Application (client) ID)" }).regex(GUID, {
      error: "must be a GUID (the app registration's Application (client) ID)",
    }),
    authority: url('the sign-in authority, e.g. https://login.microsoftonline.com/<tenantId>'),
    graphBaseUrl: url('Microsoft Graph, e.g. https://graph.microsoft.com/v1.0'),
    mySecurityInfoUrl: url('My Security Info, e.g. https://mysignins.microsoft.com/security-info'),
    /**
     * Host names of the identity providers the tenant's federated domains redirect the operator's sign-in to
     * (e.g. AD FS at `sts.contoso.com`). The sign-in window allows exactly these besides Microsoft's sign-in
     * hosts; https on the default port. A bare DNS name: no scheme, port, path, wildcard or IP address.
     */
    federationHosts: z
      .array(
        z.string({ error: 'must be a host name, e.g. sts.contoso.com' }).regex(DOMAIN, {
          error: 'must be a host name, e.g. sts.contoso.com (no https://, port, path or wildcard)',
        }),
        { error: 'must be a list of host names, e.g. ["sts.contoso.com"]' },
      )
      .max(20, { error: 'may name at most 20 hosts' })
      .default([])
      .transform((hosts) => [...new Set(hosts.map((h) => h.toLowerCase()))]),
    /** Only relaxes the host lists above; https stays required outside demo. */
    allowCustomHosts: z.boolean({ error: 'must be true or false' }).default(false),
    /**
     * Minutes the TAP is valid. Absent: the shortest the tenant policy allows, never under 10
     * (see `tapLifetimeFor`). Present: pre-flight checks it against the policy bounds.
     */
    tapLifetimeMinutes: z
      .int({ error: `must be a whole number of minutes from ${TAP_LIFETIME_BOUNDS.min} to ${TAP_LIFETIME_BOUNDS.max}` })
      .min(TAP_LIFETIME_BOUNDS.min, {
        error: `must be a whole number of minutes from ${TAP_LIFETIME_BOUNDS.min} to ${TAP_LIFETIME_BOUNDS.max}`,
      })
      .max(TAP_LIFETIME_BOUNDS.max, {
        error: `must be a whole number of minutes from ${TAP_LIFETIME_BOUNDS.min} to ${TAP_LIFETIME_BOUNDS.max}`,
      })
      .optional(),
    /** One-time TAP unless the station is deliberately configured otherwise. */
    tapOneTime: z.boolean({ error: 'must be true or false' }).default(true),
    /** The operator's session locks after this many idle minutes. */
    idleLockMinutes: z
      .int({ error: 'must be a whole number of minutes from 1 to 120' })
      .min(1, { error: 'must be a whole number of minutes from 1 to 120' })
      .max(120, { error: 'must be a whole number of minutes from 1 to 120' })
      .default(5),
    /** Where the audit journal lives. Absolute, so it never depends on the working directory. */
    auditFolder: z.string({ error: 'must be an absolute folder path' }).refine(isAbsoluteAnywhere, {
      error: 'must be an absolute folder path',
    }),
    language: z.enum(['en', 'de'], { error: 'must be "en" or "de"' }).default('en'),
    /** Full-screen kiosk window. Absent: on in production, off in demo (main/index.ts decides). */
    kioskMode: z.boolean({ error: 'must be true or false' }).optional(),
    /**
     * The ways the operator may enrol a person: the key made at the desk ("provision", main/provision/) and My
     * Security Info with a TAP ("securityInfo"); `default` is preselected. At least one stays on.
     */
    enrollmentModes: z
      .strictObject({
        default: z.enum(['provision', 'security-info'], { error: 'must be "provision" or "security-info"' }).default('security-info'),
        provision: z.boolean({ error: 'must be true or false' }).default(true),
        securityInfo: z.boolean({ error: 'must be true or false' }).default(true),
      })
      .refine((m) => (m.default === 'provision' ? m.provision : m.securityInfo), { error: 'the default mode must be one that is on' })
      .default({ default: 'security-info', provision: true, securityInfo: true }),
    /** Event mode (main/event/README.md): absent means off. */
    event: eventConfigSchema.optional(),
  })
  .superRefine((config, ctx) => {
    // zod 4 runs this even when a field above already failed; check only what parsed.
    for (const field of ['authority', 'graphBaseUrl', 'mySecurityInfoUrl'] as const) {
      if (!URL.canParse(config[field])) continue;
      const problem = urlProblem(field, config[field], config.demo, config.allowCustomHosts);
      if (problem) ctx.addIssue({ code: 'custom', path: [field], message: problem });
    }
    const tenant = typeof config.tenantId === 'string' ? config.tenantId.toLowerCase() : undefined;
    if (tenant !== undefined && URL.canParse(config.authority) && authorityTenant(config.authority).toLowerCase() !== tenant) {
      ctx.addIssue({
        code: 'custom',
        path: ['authority'],
        message: `must be the sign-in host followed by this tenant and nothing else, e.g. ${new URL(config.authority).origin}/${config.tenantId}`,
      });
    }
  });

/** The validated configuration. Inferred from the schema: the schema is the one source of truth. */
export type StationConfig = z.output<typeof stationConfigSchema>;
/** What the file may contain before defaults are applied. */
export type StationConfigInput = z.input<typeof stationConfigSchema>;

/**
 * The TAP lifetime to request: the configured one, or the shortest the policy allows and never under 10
 * minutes. Whether a configured value lies inside the policy bounds is pre-flight's question, not this one.
 */
export function tapLifetimeFor(config: Pick<StationConfig, 'tapLifetimeMinutes'>, policyMinimumMinutes: number): number {
  return config.tapLifetimeMinutes ?? Math.max(TAP_LIFETIME_BOUNDS.min, policyMinimumMinutes);
}

function urlProblem(field: UrlField, value: string, demo: boolean, allowCustomHosts: boolean): string | undefined {
  const parsed = new URL(value);
  const loopback = LOOPBACK.has(parsed.hostname);
  if (parsed.protocol !== 'https:' && !(demo && parsed.protocol === 'http:' && loopback)) {
    return demo ? 'must be an https URL (http only for localhost in demo mode)' : 'must be an https URL';
  }
  if (parsed.username || parsed.password) return 'must not contain a user name or password';
  if (demo || allowCustomHosts) return undefined;
  const hosts: readonly string[] = MICROSOFT_HOSTS[field];
  if (!hosts.includes(parsed.hostname.toLowerCase())) {
    return `must be on a Microsoft host (${hosts.join(', ')}); set "allowCustomHosts": true to use another`;
  }
  return undefined;
}

/** The authority's path without slashes at either end: for a single-tenant station, the tenant itself. */
function authorityTenant(authority: string): string {
  return new URL(authority).pathname
    .split('/')
    .filter((s) => s.length > 0)
    .join('/');
}

/** Absolute on Linux/macOS or on Windows (drive or UNC), whichever this station runs. */
function isAbsoluteAnywhere(path: string): boolean {
  return path.startsWith('/') || /^[A-Za-z]:[\\/]/.test(path) || path.startsWith('\\\\');
}
