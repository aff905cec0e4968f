import { connect, type PeerCertificate } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../main/config';
import { issuedByCa } from '../../main/kiosk/demo-trust';
import { DemoUnavailableError, startDemoEmulator, type DemoEmulator } from '../../main/kiosk/demo-emulator';
import { securityInfoPolicy } from '../../main/kiosk/navigation-policy';
import { startEmulator, type Emulator } from '../emulator';

const appRoot = process.cwd();

describe('demo mode', () => {
  it('is refused by a packaged build before anything is loaded', async () => {
    await expect(startDemoEmulator({ packaged: true, appRoot })).rejects.toThrow(DemoUnavailableError);
    await expect(startDemoEmulator({ packaged: true, appRoot })).rejects.toThrow(/not available in an installed build/);
  });

  it('needs the source tree', async () => {
    await expect(startDemoEmulator({ packaged: false, appRoot: '/nonexistent' })).rejects.toThrow(/needs the source tree/);
  });

  describe('from the source tree', () => {
    let demo: DemoEmulator;
    beforeAll(async () => {
      demo = await startDemoEmulator({ packaged: false, appRoot });
    });
    afterAll(() => demo?.close());

    it('starts the emulator through the runtime TypeScript loader and gives the loader a valid demo configuration', () => {
      const config = parseConfig('{}', '(demo)', { demoDefaults: demo.defaults });
      expect(config.demo).toBe(true);
      expect(config.authority).toBe(demo.defaults.authority);
      expect(demo.operators.map((o) => o.upn.split('@')[0])).toContain('alex.wilber');
      // and the view's policy admits the emulator's My Security Info
      const policy = securityInfoPolicy({ authority: config.authority, mySecurityInfoUrl: config.mySecurityInfoUrl, demo: true });
      expect(policy.decide(config.mySecurityInfoUrl).kind).toBe('allow');
    });
  });
});

describe("the demo sign-in window's certificate check", () => {
  let emu: Emulator;
  let other: Emulator;
  let leafPem: string;
  beforeAll(async () => {
    [emu, other] = await Promise.all([startEmulator(), startEmulator()]);
    const origin = new URL(emu.urls.origin);
    const cert = await new Promise<PeerCertificate>((resolve, reject) => {
      const socket = connect({ host: origin.hostname, port: Number(origin.port), servername: origin.hostname, ca: emu.caPem }, () => {
        resolve(socket.getPeerCertificate());
        socket.end();
      });
      socket.on('error', reject);
    });
    leafPem = `-----BEGIN CERTIFICATE-----\n${cert.raw.toString('base64')}\n-----END CERTIFICATE-----\n`;
  });
  afterAll(async () => {
    await Promise.all([emu?.close(), other?.close()]);
  });

  it("accepts the emulator's certificate for its own host", () => {
    expect(issuedByCa(leafPem, emu.caPem, 'localhost')).toBe(true);
  });

  it('refuses it under another CA, for another host, or when expired', () => {
    expect(issuedByCa(leafPem, other.caPem, 'localhost')).toBe(false);
    expect(issuedByCa(leafPem, emu.caPem, 'login.microsoftonline.com')).toBe(false);
    expect(issuedByCa(leafPem, emu.caPem, 'localhost', new Date('2999-01-01'))).toBe(false);
    expect(issuedByCa('not a certificate', emu.caPem, 'localhost')).toBe(false);
    expect(issuedByCa(leafPem, emu.caPem, '10.0.0.1')).toBe(false);
    // a leaf is not a CA: it cannot vouch for itself
    expect(issuedByCa(leafPem, leafPem, 'localhost')).toBe(false);
  });
});
