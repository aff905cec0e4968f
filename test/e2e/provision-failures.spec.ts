// "Set up the key here" when something goes wrong, end to end in Chromium through the web harness against the
// emulator (issue 13 §4). The desk key is the full software authenticator (test/authenticator/fido2-core.ts), set up
// per case through the harness's test-only `deskKey()` controls (PIN, tries, touch behaviour, the touch itself);
// the emulator's clock and passkey policy are moved through `harness.emulator.ctx`. Each case checks the words the
// person and the operator read (from the renderer's catalogs), that the station's state and the emulator's
// registrations agree, takes screenshots and runs axe, in English and in German. The PINs are made at run time, and
// the last test scans every file written during the suite for them.
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { expect, test, type Harness } from '../harness/fixtures';
import { heading, operatorSignIn } from './support/flow';
import { Camera, LANGS, runtimePin, stem, text, untilScreen, useLanguage, type Lang } from './support/kiosk';
import { describeHits, leakRoots, scanForPasses } from '../leaks/scan';

test.use({
  harnessOptions: { keepData: true, rendererDir: join(process.cwd(), '.scratch', 'e2e-renderer'), rebuild: 'if-stale', deskKeyCanProvision: true },
});

const started = Date.now();
const pinsUsed = new Set<string>();

const newPin = () => runtimePin(pinsUsed);

const DOMAIN = 'tapkioskdemo.onmicrosoft.com';
/** Global Reader's roleTemplateId (the same in every tenant): may read the authentication methods policies. */
const GLOBAL_READER = 'f2ef992c-3afb-46b9-b7cf-a126ee74c451';
const userIdOf = (h: Harness, person: string) => {
  const u = h.emulator.ctx.state.findUser(`${person}@${DOMAIN}`);
  if (!u) throw new Error(`no ${person} in the seed`);
  return u.id;
};
const passkeysOf = (h: Harness, userId: string) => h.emulator.ctx.state.fido2Of(userId);
const desk = (h: Harness) => {
  const k = h.deskKey();
  if (!k) throw new Error('the harness runs without deskKeyCanProvision');
  return k;
};

/** The provisioning phase now, or the screen when the station left provisioning. */
const phaseOf = (h: Harness): string => {
  const s = h.state().session;
  return s?.screen === 'provisioning' ? s.phase : `${s?.screen ?? null}`;
};
async function untilPhase(h: Harness, phases: readonly string[], timeout = 20_000): Promise<string> {
  await expect.poll(() => phaseOf(h), { timeout, message: `provisioning phase → ${phases.join('|')}` }).toMatch(new RegExp(`^(${phases.join('|')})$`));
  return phaseOf(h);
}
const errorCode = (h: Harness) => {
  const s = h.state().session;
  return s?.screen === 'provisioning' ? (s.error?.code ?? null) : null;
};
const creationOptionsAsked = (h: Harness) => h.emulator.requestLog().filter((r) => r.method === 'GET' && /fido2Methods\/creationOptions/.test(r.path)).length;

/** Signed in, the person found and identified, "Set up the key" chosen on pre-flight: the first provisioning phase. */
async function toProvisioning(page: Page, h: Harness, op: { upn: string; password: string }, lang: Lang, person: string): Promise<string> {
  await expect(page.locator('#root > *').first()).toBeAttached();
  await useLanguage(page, lang);
  await operatorSignIn(page, h, op, null, lang);
  await toPreflight(page, h, lang, person);
  const setUp = page.getByRole('button', { name: text(lang, 'mode.provision.action') });
  await expect(setUp).toBeEnabled();
  await setUp.click();
  await untilScreen(h, 'provisioning');
  await expect(heading(page, text(lang, 'provision.title'))).toBeVisible();
  return untilPhase(h, ['set-pin', 'enter-pin', 'failed']);
}

async function toPreflight(page: Page, h: Harness, lang: Lang, person: string): Promise<void> {
  await page.keyboard.type(person.split('.')[0]!, { delay: 30 });
  await page.keyboard.press('Enter');
  if ((await untilScreen(h, ['search-results', 'identity'])) === 'search-results') {
    await expect(
      page
        .getByRole('list', { name: text(lang, 'find.resultsLabel') })
        .getByRole('button')
        .first(),
    ).toBeVisible();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await untilScreen(h, 'identity');
  }
  await page.getByRole('button', { name: text(lang, 'document.passport'), exact: true }).click();
  await untilScreen(h, 'preflight');
  await expect(heading(page, text(lang, 'preflight.title'))).toBeVisible();
}

const pinPad = (page: Page, lang: Lang, isNew: boolean) =>
  page.getByRole('group', { name: text(lang, isNew ? 'provision.pad.choose' : 'provision.pad.enter') });

/** The PIN on the pad with the physical keyboard: entered once, or chosen and typed again for a key without one. */
async function typePin(page: Page, lang: Lang, pin: string, isNew: boolean): Promise<void> {
  const pad = pinPad(page, lang, isNew);
  await expect(pad).toBeVisible();
  await pad.focus();
  await page.keyboard.type(pin, { delay: 20 });
  await expect(page.getByTestId('pin-dots')).toHaveText('●'.repeat(pin.length));
  await page.keyboard.press('Enter');
  if (!isNew) return;
  await expect(page.getByRole('group', { name: text(lang, 'provision.pad.again') })).toBeVisible();
  await page.keyboard.type(pin, { delay: 20 });
  await page.keyboard.press('Enter');
}

/** The person's side shows this provisioning error (its words, from the catalog). */
async function expectError(page: Page, lang: Lang, key: string, vars: Record<string, string | number> = {}): Promise<void> {
  await expect(page.locator('[data-error]')).toHaveText(text(lang, key, vars));
}

/** Done and proven; the station's done screen names the one passkey the emulator holds for the person. */
async function expectRegistered(page: Page, h: Harness, lang: Lang, userId: string, pins: readonly string[]): Promise<void> {
  await untilScreen(h, 'done');
  await expect(heading(page, new RegExp(`^${stem(lang, 'outcome.done.title')}`))).toBeVisible();
  await expect(page.getByText(text(lang, 'outcome.done.proven'))).toBeVisible();
  const s = h.state().session;
  if (s?.screen !== 'done') throw new Error(`not done: ${s?.screen}`);
  expect(s.proven).toBe(true);
  expect(s.registered.stationKey).toBe(true);
  const keys = passkeysOf(h, userId);
  expect(keys.map((k) => k.id)).toEqual([s.registered.methodId]);
  expect(keys[0]?.aaGuid).toBe(desk(h).core.profile.aaguid);
  const state = JSON.stringify(h.state());
  for (const pin of pins) expect(state).not.toContain(pin);
}

/** Stopped at the failure the code names: no pad, the operator's "Check the key again", nothing at Microsoft. */
async function expectStopped(page: Page, h: Harness, lang: Lang, code: string, userId: string, registeredBefore = 0): Promise<void> {
  await untilPhase(h, ['failed']);
  expect(errorCode(h)).toBe(code);
  const s = h.state().session;
  expect(s?.screen === 'provisioning' && s.pinPad).toBeNull();
  await expectError(page, lang, `provision.error.${code}`);
  await expect(pinPad(page, lang, false)).toHaveCount(0);
  await expect(pinPad(page, lang, true)).toHaveCount(0);
  await expect(page.getByRole('button', { name: text(lang, 'provision.recheck') })).toBeVisible();
  expect(passkeysOf(h, userId)).toHaveLength(registeredBefore);
}

test.beforeEach(({ harness }) => {
  desk(harness).factoryReset();
});
// The worker's harness (and its desk key) may serve another spec file next: leave the key blank, as it started.
test.afterAll(({ workerHarness }) => {
  workerHarness.deskKey()?.factoryReset();
});

for (const lang of LANGS) {
  test.describe(`[${lang}]`, () => {
    test('wrong PIN once: the tries left on screen, then the right PIN → registered and proven', async ({ kiosk: page, harness, operator }, info) => {
      const cam = new Camera(page, lang, 'provision-fail-10-wrong-pin-', info);
      const pin = newPin();
      const wrong = newPin();
      desk(harness).core.state.setPin(Buffer.from(pin, 'utf8'));
      const megan = userIdOf(harness, 'megan.bowen');
      expect(await toProvisioning(page, harness, operator, lang, 'megan.bowen')).toBe('enter-pin');
      await expect(pinPad(page, lang, false)).toContainText(text(lang, 'provision.pad.retries_other', { count: 8 }));
      await cam.shot('enter-pin');
      await typePin(page, lang, wrong, false);
      await expect.poll(() => errorCode(harness)).toBe('key.wrong-pin');
      await untilPhase(harness, ['enter-pin']);
      const s = harness.state().session;
      expect(s?.screen === 'provisioning' && s.pinPad?.retries).toBe(7);
      await expectError(page, lang, 'provision.error.key.wrong-pin-retries', { retries: 7 });
      await expect(pinPad(page, lang, false)).toContainText(text(lang, 'provision.pad.retries_other', { count: 7 }));
      expect(desk(harness).core.state.pinRetries).toBe(7);
      expect(passkeysOf(harness, megan)).toEqual([]);
      await cam.shot('wrong-pin');
      await typePin(page, lang, pin, false);
      await expectRegistered(page, harness, lang, megan, [pin, wrong]);
      expect(desk(harness).core.state.pinRetries).toBe(8);
      await cam.shot('done');
      cam.assertAccessible();
    });

    test('PIN blocked by the last wrong try: the key must be reset, no pad; checking again says so still; nothing registered', async ({
      kiosk: page,
      harness,
      operator,
    }, info) => {
      const cam = new Camera(page, lang, 'provision-fail-20-blocked-', info);
      const pin = newPin();
      const wrong = newPin();
      const key = desk(harness);
      key.core.state.setPin(Buffer.from(pin, 'utf8'));
      key.core.state.pinRetries = 1;
      const megan = userIdOf(harness, 'megan.bowen');
      expect(await toProvisioning(page, harness, operator, lang, 'megan.bowen')).toBe('enter-pin');
      await expect(pinPad(page, lang, false)).toContainText(text(lang, 'provision.pad.retries_one', { count: 1 }));
      await typePin(page, lang, wrong, false);
      await expectStopped(page, harness, lang, 'key.pin-blocked', megan);
      expect(key.core.state.pinRetries).toBe(0);
      // The key panel no longer says what getInfo and the policy expected ("will be accepted").
      const keyPanel = page.locator('.key-panel');
      await expect(keyPanel).toContainText(text(lang, 'key.refusedHere'));
      await expect(keyPanel).not.toContainText(text(lang, 'key.verdictText.ready'));
      await cam.shot('blocked');
      // The key is read again: 0 tries left is said at once, before any pad.
      const commandsBefore = key.core.commands.length;
      await page.getByRole('button', { name: text(lang, 'provision.recheck') }).click();
      await expect.poll(() => key.core.commands.length).toBeGreaterThan(commandsBefore);
      await expectStopped(page, harness, lang, 'key.pin-blocked', megan);
      expect(key.core.state.credentials).toEqual([]);
      cam.assertAccessible();
    });

    test('the key already holds the person’s passkey: credential excluded, the screen says it is registered', async ({
      kiosk: page,
      harness,
      operator,
    }, info) => {
      const cam = new Camera(page, lang, 'provision-fail-30-excluded-', info);
      const pin = newPin();
      desk(harness).core.state.setPin(Buffer.from(pin, 'utf8'));
      const megan = userIdOf(harness, 'megan.bowen');
      await toProvisioning(page, harness, operator, lang, 'megan.bowen');
      await typePin(page, lang, pin, false);
      await expectRegistered(page, harness, lang, megan, [pin]);
      await page.getByRole('button', { name: text(lang, 'outcome.nextPerson') }).click();
      await untilScreen(harness, 'ready');
      await expect(page.getByLabel(text(lang, 'find.label'))).toBeFocused();
      // The same person, the same key, once more.
      await toPreflight(page, harness, lang, 'megan.bowen');
      await page.getByRole('button', { name: text(lang, 'mode.provision.action') }).click();
      await untilPhase(harness, ['enter-pin']);
      await typePin(page, lang, pin, false);
      await expectStopped(page, harness, lang, 'key.already-registered', megan, 1);
      await cam.shot('already-registered');
      expect(desk(harness).core.state.credentials).toHaveLength(1);
      expect(JSON.stringify(harness.state())).not.toContain(pin);
      cam.assertAccessible();
    });

    test('Microsoft’s 5-minute challenge runs out while the key waits for the touch: new options, one more touch, registered; twice → start again', async ({
      kiosk: page,
      harness,
      operator,
    }, info) => {
      const cam = new Camera(page, lang, 'provision-fail-40-challenge-', info);
      const pin = newPin();
      const key = desk(harness);
      key.core.touch = 'wait';
      const clock = harness.emulator.ctx.clock;
      const megan = userIdOf(harness, 'megan.bowen');
      expect(await toProvisioning(page, harness, operator, lang, 'megan.bowen')).toBe('set-pin');
      await typePin(page, lang, pin, true);
      // Twice in a row the person is slower than Microsoft's challenge.
      for (let n = 1; n <= 2; n++) {
        await untilPhase(harness, ['touch-key']);
        await expect(page.getByText(text(lang, 'provision.touch.title'))).toBeVisible();
        if (n === 1) await cam.shot('touch-key');
        expect(creationOptionsAsked(harness)).toBe(n);
        clock.advance(5 * 60_000 + 1_000);
        key.touch();
        if (n === 1) await expect.poll(() => creationOptionsAsked(harness)).toBe(2);
      }
      await expect.poll(() => errorCode(harness)).toBe('graph.challenge-expired');
      await untilPhase(harness, ['enter-pin']);
      await expectError(page, lang, 'provision.error.graph.challenge-expired');
      expect(passkeysOf(harness, megan)).toEqual([]);
      await cam.shot('challenge-expired');
      // Started again: this time the challenge runs out once only, and one more touch registers the key.
      await typePin(page, lang, pin, false);
      await untilPhase(harness, ['touch-key']);
      const asked = creationOptionsAsked(harness);
      clock.advance(5 * 60_000 + 1_000);
      key.touch();
      await expect.poll(() => creationOptionsAsked(harness)).toBe(asked + 1);
      await untilPhase(harness, ['touch-key', 'done']);
      key.touch();
      await expectRegistered(page, harness, lang, megan, [pin]);
      await cam.shot('done');
      cam.assertAccessible();
    });

    test('no touch in time: the person is told and the pad comes back; touched this time → registered', async ({ kiosk: page, harness, operator }, info) => {
      const cam = new Camera(page, lang, 'provision-fail-50-no-touch-', info);
      const pin = newPin();
      const key = desk(harness);
      key.core.touch = 'never';
      key.core.touchTimeoutMs = 1_500;
      const megan = userIdOf(harness, 'megan.bowen');
      expect(await toProvisioning(page, harness, operator, lang, 'megan.bowen')).toBe('set-pin');
      await typePin(page, lang, pin, true);
      await untilPhase(harness, ['touch-key']);
      await expect(page.getByText(text(lang, 'provision.touch.title'))).toBeVisible();
      await cam.shot('touch-key');
      await expect.poll(() => errorCode(harness)).toBe('key.no-touch');
      // The PIN was set before the touch: now it is entered, once.
      await untilPhase(harness, ['enter-pin']);
      await expectError(page, lang, 'provision.error.key.no-touch');
      expect(passkeysOf(harness, megan)).toEqual([]);
      await cam.shot('no-touch');
      key.core.touch = 'auto';
      await typePin(page, lang, pin, false);
      await expectRegistered(page, harness, lang, megan, [pin]);
      cam.assertAccessible();
    });

    test('unplugged while the key waits for the touch: the stop says so, nothing registered; plugged back in, checked again → registered', async ({
      kiosk: page,
      harness,
      operator,
    }, info) => {
      const cam = new Camera(page, lang, 'provision-fail-60-unplugged-', info);
      const pin = newPin();
      const key = desk(harness);
      key.core.touch = 'wait';
      const megan = userIdOf(harness, 'megan.bowen');
      expect(await toProvisioning(page, harness, operator, lang, 'megan.bowen')).toBe('set-pin');
      await typePin(page, lang, pin, true);
      await untilPhase(harness, ['touch-key']);
      harness.unplugKey();
      await expectStopped(page, harness, lang, 'key.unplugged', megan);
      expect(key.core.state.credentials).toEqual([]);
      await cam.shot('unplugged');
      harness.plugKey();
      key.core.touch = 'auto';
      // The operator sees the key back in the key panel before checking again.
      await expect.poll(() => harness.state().session?.key.presence).toBe('one');
      await page.getByRole('button', { name: text(lang, 'provision.recheck') }).click();
      // The PIN was set before the touch: now it is entered, once.
      expect(await untilPhase(harness, ['enter-pin', 'failed'])).toBe('enter-pin');
      await typePin(page, lang, pin, false);
      await expectRegistered(page, harness, lang, megan, [pin]);
      cam.assertAccessible();
    });

    test('a key model the tenant’s key restrictions block (policy readable): refused on pre-flight, before anything is made on the key', async ({
      kiosk: page,
      harness,
      operator,
    }, info) => {
      const cam = new Camera(page, lang, 'provision-fail-70-aaguid-', info);
      const key = desk(harness);
      key.core.state.setPin(Buffer.from(newPin(), 'utf8'));
      const aaguid = key.core.profile.aaguid ?? '';
      const commandsBefore = key.core.commands.length;
      const state = harness.emulator.ctx.state;
      state.fido2Policy.keyRestrictions = { isEnforced: true, enforcementType: 'block', aaGuids: [aaguid] };
      // The operator may also read the policies (Global Reader beside Privileged Authentication Administrator).
      const op = state.findUser(operator.upn);
      if (!op) throw new Error('no operator in the emulator');
      op.roles = [...op.roles, GLOBAL_READER];
      const megan = userIdOf(harness, 'megan.bowen');
      await useLanguage(page, lang);
      await operatorSignIn(page, harness, operator, null, lang);
      await toPreflight(page, harness, lang, 'megan.bowen');
      // In the key panel, and again in the pre-flight check that refuses the key.
      await expect(page.getByText(text(lang, 'reason.aaguid-blocked')).first()).toBeVisible();
      const setUp = page.getByRole('button', { name: text(lang, 'mode.provision.action') });
      await expect(setUp).toBeDisabled();
      await expect(page.getByText(text(lang, 'mode.reason.mode.refused')).first()).toBeVisible();
      await cam.shot('preflight-refused');
      const s = harness.state().session;
      if (s?.screen !== 'preflight' || !s.modes) throw new Error(`not on pre-flight with the modes: ${s?.screen}`);
      expect(s.verdict).toBe('refused');
      expect(s.modes.options.find((o) => o.mode === 'provision')).toEqual({ mode: 'provision', available: false, reason: 'mode.refused' });
      expect(s.key.readiness?.reasons.map((r) => r.code)).toContain('aaguid-blocked');
      // Nothing asked of the key but what it is (getInfo, 0x04), nothing asked of Microsoft.
      expect(key.core.commands.slice(commandsBefore).filter((c) => c !== 0x04)).toEqual([]);
      expect(creationOptionsAsked(harness)).toBe(0);
      expect(passkeysOf(harness, megan)).toEqual([]);
      cam.assertAccessible();
    });

    test('a key model the key restrictions block (policy not readable by the role): Microsoft refuses it, nothing registered', async ({
      kiosk: page,
      harness,
      operator,
    }, info) => {
      const cam = new Camera(page, lang, 'provision-fail-75-aaguid-graph-', info);
      const pin = newPin();
      const key = desk(harness);
      key.core.state.setPin(Buffer.from(pin, 'utf8'));
      harness.emulator.ctx.state.fido2Policy.keyRestrictions = { isEnforced: true, enforcementType: 'block', aaGuids: [key.core.profile.aaguid ?? ''] };
      const megan = userIdOf(harness, 'megan.bowen');
      expect(await toProvisioning(page, harness, operator, lang, 'megan.bowen')).toBe('enter-pin');
      await typePin(page, lang, pin, false);
      await expectStopped(page, harness, lang, 'graph.key-refused', megan);
      await cam.shot('refused');
      cam.assertAccessible();
    });

    test('lost key, then the replacement set up here: the old passkey removed, the new one registered and proven', async ({
      kiosk: page,
      harness,
      operator,
    }, info) => {
      const cam = new Camera(page, lang, 'provision-fail-80-lost-key-', info);
      const pin = newPin();
      const lee = userIdOf(harness, 'lee.gu');
      const old = passkeysOf(harness, lee);
      expect(old.length).toBeGreaterThan(0);
      await useLanguage(page, lang);
      await operatorSignIn(page, harness, operator, null, lang);
      await toPreflight(page, harness, lang, 'lee.gu');
      await page.getByRole('button', { name: text(lang, 'preflight.lostKey') }).click();
      await untilScreen(harness, 'lost-key');
      await expect(heading(page, new RegExp(`^${stem(lang, 'lost.title')}`))).toBeVisible();
      const boxes = page.getByRole('checkbox');
      await expect(boxes).toHaveCount(old.length);
      for (let i = 0; i < old.length; i++) await boxes.nth(i).check();
      await page.getByRole('button', { name: text(lang, 'lost.delete') }).click();
      const dialog = page.getByRole('alertdialog');
      await expect(dialog).toBeVisible();
      await dialog.getByRole('button', { name: text(lang, 'lost.confirmDelete'), exact: true }).click();
      await expect(page.getByText(text(lang, old.length === 1 ? 'lost.deleted_one' : 'lost.deleted_other', { count: old.length }))).toBeVisible();
      await expect(page.getByText(text(lang, 'lost.none'))).toBeVisible();
      expect(passkeysOf(harness, lee)).toEqual([]);
      await cam.shot('removed');
      await page.getByRole('button', { name: text(lang, 'lost.continue') }).click();
      await untilScreen(harness, 'preflight');
      const setUp = page.getByRole('button', { name: text(lang, 'mode.provision.action') });
      await expect(setUp).toBeEnabled();
      await setUp.click();
      await untilScreen(harness, 'provisioning');
      expect(await untilPhase(harness, ['set-pin', 'failed'])).toBe('set-pin');
      await typePin(page, lang, pin, true);
      await expectRegistered(page, harness, lang, lee, [pin]);
      for (const k of old) expect(harness.emulator.ctx.state.fido2.has(k.id)).toBe(false);
      await cam.shot('done');
      cam.assertAccessible();
    });
  });
}

test('after the suite: no PIN typed on the pad is in any file written', () => {
  expect(pinsUsed.size).toBeGreaterThan(0);
  const scan = scanForPasses([...pinsUsed], leakRoots(), started);
  const hits = scan.hits.filter((h) => !/\/bash_jobs\.[^/]+\//.test(h.file));
  expect(hits, describeHits(hits)).toEqual([]);
});
