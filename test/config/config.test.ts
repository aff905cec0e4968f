import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ConfigError,
  configPath,
  configRequestsDemo,
  defaultAuditFolder,
  defaultStationId,
  loadConfig,
  parseConfig,
  tapLifetimeFor,
  type DemoDefaults,
} from '../../main/config';

const FILE = '/etc/tap-kiosk/config.json';
const TENANT = '7e1d5a6b-3c2f-4e8a-9b1d-2f6c8a4e0b13';
const linux = { platform: 'linux' as const, env: {} };

const production = {
  stationId: 'ENROLL-01',
  tenantId: TENANT,
  clientId: 'b6c4a4f2-9d2e-4c1b-8f3a-5e7d9c0a1b2c',
  authority: `https://login.microsoftonline.com/${TENANT}`,
  graphBaseUrl: 'https://graph.microsoft.com/v1.0',
  mySecurityInfoUrl: 'https://mysignins.microsoft.com/security-info',
  auditFolder: '/var/lib/tap-kiosk/audit',
};

const emulator: DemoDefaults = {
  tenantId: TENANT,
  clientId: 'b6c4a4f2-9d2e-4c1b-8f3a-5e7d9c0a1b2c',
  authority: `https://localhost:40123/${TENANT}/`,
  graphBaseUrl: 'https://localhost:40123/v1.0',
  mySecurityInfoUrl: 'http://localhost:40124/',
};

/** The one message the administrator would read, or 'ok'. */
function messageFor(content: Record<string, unknown>, demoDefaults?: DemoDefaults): string {
  try {
    parseConfig(JSON.stringify(content), FILE, { host: linux, demoDefaults });
    return 'ok';
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).message;
  }
}

describe('a production configuration', () => {
  it('loads with the documented defaults', () => {
    const config = parseConfig(JSON.stringify(production), FILE, { host: linux });
    expect(config).toMatchObject({
      demo: false,
      tapOneTime: true,
      idleLockMinutes: 5,
      language: 'en',
      allowCustomHosts: false,
    });
    expect(config.tapLifetimeMinutes).toBeUndefined();
  });

  it('accepts a verified domain as tenant id, and the authority with or without a trailing slash, any case', () => {
    const domain = 'contoso.onmicrosoft.com';
    expect(messageFor({ ...production, tenantId: domain, authority: `https://login.microsoftonline.com/${domain}` })).toBe('ok');
    expect(messageFor({ ...production, authority: `https://login.microsoftonline.com/${TENANT.toUpperCase()}/` })).toBe('ok');
  });

  it.each([
    ['tenantId', 'x', `config ${FILE}: "tenantId" must be a GUID or a verified domain, got "x"`],
    ['tenantId', 42, `config ${FILE}: "tenantId" must be a GUID or a verified domain, got 42`],
    ['clientId', 'my-app', `config ${FILE}: "clientId" must be a GUID (the app registration's Application (client) ID), got "my-app"`],
    [
      'authority',
      'login.microsoftonline.com',
      `"authority" must be a URL (the sign-in authority, e.g. https://login.microsoftonline.com/<tenantId>), got "login.microsoftonline.com"`,
    ],
    ['graphBaseUrl', 'graph', `"graphBaseUrl" must be a URL (Microsoft Graph, e.g. https://graph.microsoft.com/v1.0), got "graph"`],
    ['mySecurityInfoUrl', '', `"mySecurityInfoUrl" must be a URL (My Security Info, e.g. https://mysignins.microsoft.com/security-info), got ""`],
    ['graphBaseUrl', 'http://graph.microsoft.com/v1.0', '"graphBaseUrl" must be an https URL, got "http://graph.microsoft.com/v1.0"'],
    ['mySecurityInfoUrl', 'http://localhost:5000/', '"mySecurityInfoUrl" must be an https URL, got "http://localhost:5000/"'],
    [
      'graphBaseUrl',
      'https://graph.evil.example/v1.0',
      '"graphBaseUrl" must be on a Microsoft host (graph.microsoft.com, graph.microsoft.us, dod-graph.microsoft.us, microsoftgraph.chinacloudapi.cn); set "allowCustomHosts": true to use another, got "https://graph.evil.example/v1.0"',
    ],
    [
      'authority',
      `https://localhost:4443/${TENANT}`,
      '"authority" must be on a Microsoft host (login.microsoftonline.com, login.microsoftonline.us, login.partner.microsoftonline.cn)',
    ],
    ['mySecurityInfoUrl', 'https://mysignins.example.com/', '"mySecurityInfoUrl" must be on a Microsoft host (mysignins.microsoft.com)'],
    [
      'authority',
      'https://login.microsoftonline.com/other.onmicrosoft.com',
      `"authority" must be the sign-in host followed by this tenant and nothing else, e.g. https://login.microsoftonline.com/${TENANT}, got "https://login.microsoftonline.com/other.onmicrosoft.com"`,
    ],
    [
      'authority',
      'https://login.microsoftonline.com/',
      `"authority" must be the sign-in host followed by this tenant and nothing else, e.g. https://login.microsoftonline.com/${TENANT}`,
    ],
    ['authority', `https://login.microsoftonline.com/${TENANT}/v2.0`, `"authority" must be the sign-in host followed by this tenant and nothing else`],
    ['authority', `https://user:pw@login.microsoftonline.com/${TENANT}`, '"authority" must not contain a user name or password'],
    ['tapLifetimeMinutes', 9, '"tapLifetimeMinutes" must be a whole number of minutes from 10 to 43200, got 9'],
    ['tapLifetimeMinutes', 43_201, '"tapLifetimeMinutes" must be a whole number of minutes from 10 to 43200, got 43201'],
    ['tapLifetimeMinutes', 12.5, '"tapLifetimeMinutes" must be a whole number of minutes from 10 to 43200, got 12.5'],
    ['tapLifetimeMinutes', '60', '"tapLifetimeMinutes" must be a whole number of minutes from 10 to 43200, got "60"'],
    ['tapOneTime', 'yes', '"tapOneTime" must be true or false, got "yes"'],
    ['idleLockMinutes', 0, '"idleLockMinutes" must be a whole number of minutes from 1 to 120, got 0'],
    ['idleLockMinutes', 121, '"idleLockMinutes" must be a whole number of minutes from 1 to 120, got 121'],
    ['auditFolder', 'audit', '"auditFolder" must be an absolute folder path, got "audit"'],
    ['language', 'fr', '"language" must be "en" or "de", got "fr"'],
    ['demo', 'no', '"demo" must be true or false, got "no"'],
    ['allowCustomHosts', 1, '"allowCustomHosts" must be true or false, got 1'],
    ['stationId', '../etc', '"stationId" must be 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit, got "../etc"'],
  ])('names %s when it is %j', (field, value, expected) => {
    expect(messageFor({ ...production, [field]: value })).toContain(expected);
  });

  it.each(['tenantId', 'clientId', 'authority', 'graphBaseUrl', 'mySecurityInfoUrl'])('requires %s and never falls back to the emulator', (field) => {
    const content: Record<string, unknown> = { ...production };
    delete content[field];
    expect(messageFor(content)).toBe(`config ${FILE}: "${field}" is required (production: no demo flag, so nothing falls back to the emulator)`);
  });

  it('gives one message even when several fields are wrong, and says how many more there are', () => {
    const message = messageFor({ ...production, tenantId: 'x', clientId: 'y', language: 'fr' });
    expect(message).toBe(`config ${FILE}: "tenantId" must be a GUID or a verified domain, got "x" (and 2 more problems)`);
  });

  it('names a misspelt field and suggests the right one', () => {
    const { tenantId, ...rest } = production;
    expect(messageFor({ ...rest, tenantID: tenantId })).toMatch(/^config \/etc\/tap-kiosk\/config.json: unknown field "tenantID"; did you mean "tenantId"\?/);
    expect(messageFor({ ...production, colour: 'blue' })).toBe(`config ${FILE}: unknown field "colour"; check its spelling against config/sample-config.json`);
  });

  it('allows other hosts only when allowCustomHosts is set, and still only https', () => {
    const custom = {
      ...production,
      allowCustomHosts: true,
      authority: `https://login.staging.example/${TENANT}`,
      graphBaseUrl: 'https://graph.staging.example/v1.0',
      mySecurityInfoUrl: 'https://mysignins.staging.example/',
    };
    expect(messageFor(custom)).toBe('ok');
    expect(messageFor({ ...custom, mySecurityInfoUrl: 'http://localhost:5000/' })).toContain('"mySecurityInfoUrl" must be an https URL');
  });

  it('accepts the US Government and China clouds without allowCustomHosts', () => {
    expect(
      messageFor({
        ...production,
        authority: `https://login.microsoftonline.us/${TENANT}`,
        graphBaseUrl: 'https://graph.microsoft.us/v1.0',
      }),
    ).toBe('ok');
  });

  it('names federation hosts as bare host names, lower-cased and without duplicates', () => {
    expect(parseConfig(JSON.stringify(production), FILE, { host: linux }).federationHosts).toEqual([]);
    const config = parseConfig(JSON.stringify({ ...production, federationHosts: ['STS.Contoso.com', 'sts.contoso.com', 'idp.fabrikam.example'] }), FILE, {
      host: linux,
    });
    expect(config.federationHosts).toEqual(['sts.contoso.com', 'idp.fabrikam.example']);
    for (const wrong of ['https://sts.contoso.com', 'sts.contoso.com:443', 'sts.contoso.com/adfs', '*.contoso.com', '10.0.0.5', 'localhost']) {
      expect(messageFor({ ...production, federationHosts: [wrong] }), wrong).toContain('"federationHosts.0" must be a host name');
    }
    expect(messageFor({ ...production, federationHosts: 'sts.contoso.com' })).toContain('"federationHosts" must be a list of host names');
  });

  it('reports broken JSON with line and column, and a non-object', () => {
    expect(() => parseConfig('{\n  "tenantId": ,\n}', FILE, { host: linux })).toThrow(
      /^config \/etc\/tap-kiosk\/config.json: is not valid JSON at line 2, column 15/,
    );
    expect(() => parseConfig('["a"]', FILE, { host: linux })).toThrow(`config ${FILE}: must contain one JSON object ({ ... })`);
  });

  it('reads a file saved with a byte-order mark', () => {
    expect(parseConfig(`\uFEFF${JSON.stringify(production)}`, FILE, { host: linux }).tenantId).toBe(TENANT);
  });
});

describe('demo mode', () => {
  it('fills the tenant fields from the running emulator, allows loopback http, keeps the journal out of production', () => {
    const config = parseConfig('{}', FILE, { host: linux, demoDefaults: emulator });
    expect(config).toMatchObject({ ...emulator, demo: true });
    expect(config.auditFolder).toBe(defaultAuditFolder(true, linux));
    expect(config.auditFolder).not.toBe(defaultAuditFolder(false, linux));
  });

  it('lets the file override what the emulator supplied', () => {
    const config = parseConfig(JSON.stringify({ language: 'de', idleLockMinutes: 2 }), FILE, { host: linux, demoDefaults: emulator });
    expect(config).toMatchObject({ language: 'de', idleLockMinutes: 2, demo: true });
  });

  it('allows http only on loopback, even in demo', () => {
    expect(messageFor({ mySecurityInfoUrl: 'http://kiosk.lan:5000/' }, emulator)).toBe(
      `config ${FILE}: "mySecurityInfoUrl" must be an https URL (http only for localhost in demo mode), got "http://kiosk.lan:5000/"`,
    );
  });

  it('refuses a file that says demo is off when the kiosk was started in demo mode', () => {
    expect(messageFor({ ...production, demo: false }, emulator)).toBe(
      `config ${FILE}: "demo" is false, but the kiosk was started in demo mode; remove "demo" or start without --demo`,
    );
  });

  it('without the emulator, a file asking for demo still has to name every tenant field', () => {
    expect(messageFor({ demo: true })).toBe(`config ${FILE}: "tenantId" is required (and 4 more problems)`);
  });
});

describe('the file on disk', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tap-kiosk-config-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('the shipped sample validates as a production configuration', () => {
    const config = loadConfig({ path: join(process.cwd(), 'config/sample-config.json'), host: linux });
    expect(config.demo).toBe(false);
    expect(config.tapOneTime).toBe(true);
  });

  it('a missing file is one message naming the file, in production', () => {
    const path = join(dir, 'config.json');
    expect(() => loadConfig({ path, host: linux })).toThrow(
      `config ${path}: file not found; create it from config/sample-config.json or set TAP_KIOSK_CONFIG to its path`,
    );
  });

  it('a missing file is fine in demo mode', () => {
    expect(loadConfig({ path: join(dir, 'none.json'), host: linux, demoDefaults: emulator }).demo).toBe(true);
  });

  it('a folder in place of the file is reported as unreadable', () => {
    expect(() => loadConfig({ path: dir, host: linux })).toThrow(`config ${dir}: cannot be read (EISDIR)`);
  });

  it('TAP_KIOSK_CONFIG points the loader at another file', () => {
    const path = join(dir, 'station.json');
    writeFileSync(path, JSON.stringify({ ...production, language: 'de' }));
    expect(loadConfig({ host: { platform: 'linux', env: { TAP_KIOSK_CONFIG: path } } }).language).toBe('de');
  });

  it('configRequestsDemo reads the flag without validating the rest', () => {
    const path = join(dir, 'demo.json');
    writeFileSync(path, '{"demo": true}');
    expect(configRequestsDemo(path)).toBe(true);
    writeFileSync(path, readFileSync(join(process.cwd(), 'config/sample-config.json')));
    expect(configRequestsDemo(path)).toBe(false);
    expect(configRequestsDemo(join(dir, 'none.json'))).toBe(false);
  });
});

describe('machine-wide locations', () => {
  it('per OS, overridable by TAP_KIOSK_CONFIG', () => {
    expect(configPath({ platform: 'linux', env: {} })).toBe('/etc/tap-kiosk/config.json');
    expect(configPath({ platform: 'win32', env: { ProgramData: 'D:\\ProgramData' } })).toBe('D:\\ProgramData\\TAP Kiosk\\config.json');
    expect(configPath({ platform: 'win32', env: {} })).toBe('C:\\ProgramData\\TAP Kiosk\\config.json');
    expect(configPath({ platform: 'darwin', env: {} })).toBe('/Library/Application Support/TAP Kiosk/config.json');
    expect(configPath({ platform: 'win32', env: { TAP_KIOSK_CONFIG: 'E:\\kiosk.json' } })).toBe('E:\\kiosk.json');
    expect(defaultAuditFolder(false, { platform: 'win32', env: {} })).toBe('C:\\ProgramData\\TAP Kiosk\\audit');
    expect(defaultAuditFolder(false, { platform: 'linux', env: {} })).toBe('/var/lib/tap-kiosk/audit');
  });

  it('a Windows production file validates with a Windows audit folder', () => {
    expect(messageFor({ ...production, auditFolder: 'C:\\ProgramData\\TAP Kiosk\\audit' })).toBe('ok');
  });

  it('the default station id is the host name made safe for a file name', () => {
    expect(defaultStationId('KIOSK-01.corp.example')).toBe('KIOSK-01.corp.example');
    expect(defaultStationId('Empfang Süd/2')).toBe('Empfang-S-d-2');
    expect(defaultStationId('///')).toBe('station');
  });
});

describe('the TAP lifetime', () => {
  it('defaults to the shortest the policy allows, never under 10 minutes', () => {
    expect(tapLifetimeFor({ tapLifetimeMinutes: undefined }, 60)).toBe(60);
    expect(tapLifetimeFor({ tapLifetimeMinutes: undefined }, 5)).toBe(10);
    expect(tapLifetimeFor({ tapLifetimeMinutes: 30 }, 60)).toBe(30);
  });
});

describe('JSON syntax positions', () => {
  it.each([
    ['{\n  "tenantId": "x"\n', 'line 3, column 1'],
    ['{\n  "a": 1,\n  "b": tru\n}', 'line 3, column 8'],
    ['{"a": "b\u0001"}', 'line 1, column 9'],
    ['{"a": 1} x', 'line 1, column 10'],
  ])('points at the first mistake in %j', (text, where) => {
    expect(() => parseConfig(text, FILE, { host: linux })).toThrow(`config ${FILE}: is not valid JSON at ${where}`);
  });
});
