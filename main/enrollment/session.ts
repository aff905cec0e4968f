/**
 * EnrollmentSession: the one object main/index.ts (and the web harness) talk to. It wires the machine
 * (machine.ts) to the ports and to the TAP lifecycle services, validates every command from the renderer with
 * `sessionCommandSchema`, and streams `SessionSnapshot`s.
 *
 *   start()  crash recovery first (recovery.ts: every TAP the journal shows issued but not deleted is found and
 *            deleted; the browser session of an interrupted enrollment is wiped), then the machine runs.
 *   send()   one validated command; answers { ok: false } for anything the schema refuses.
 *   stop()   quit: the current enrollment is cancelled (TAP deleted, view wiped, operator signed out), then the
 *            deletion queue is drained for at most `drainTimeoutMs`; what is left is crash recovery's next start.
 *
 * Audit records, in the order an enrollment writes them: operator.signed-in, lookup, identity.checked,
 * preflight, key.detected, tap.intent + tap.issued (tap/issuer.ts), signin.observed and key.registered
 * (tap/completion.ts), tap.deleted (tap/deleter.ts), session.wiped; failure (with Graph's request id) before the
 * cleanup of a failed step; operator.locked / operator.signed-out.
 */
import { randomUUID } from 'node:crypto';
import { createActor, type Actor, type ActorOptions } from 'xstate';
import { auditEvents, journalHealthOf } from '../audit';
import type { PollSchedule } from '../tap/poll-schedule';
import type { LifecyclePort } from './lifecycle';
import { createLifecycle } from './tap-lifecycle';
import { createEnrollmentMachine, type EnrollmentMachine, type StationChoices } from './machine';
import type { AuditPort, ClockPort, DirectoryPort, EventPort, KeysPort, OperatorPort, SecurityInfoViewPort } from './ports';
import { recoverTaps, type RecoveryReport } from '../tap/recovery';
import { systemTimers, type Timers } from '../tap/scheduling';
import { sessionCommandSchema, type SessionCommand, type SessionSnapshot } from '../../common/session';
import { toSnapshot } from './snapshot';
import { TapDeleter } from '../tap/deleter';
import type { PassGuard } from '../tap/issuer';
import { PinSlot, submitPin, type ProvisionPort } from './provision';
import type { RecyclePort } from './recycle';

export interface EnrollmentSessionOptions {
  operator: OperatorPort;
  directory: DirectoryPort;
  keys: KeysPort;
  view: SecurityInfoViewPort;
  /**
   * The journal (audit/journal.ts): append, probe, and the redaction guard the issuer tells each pass; every
   * write's outcome (`onWriteOutcome`) updates the journal check of an open pre-flight.
   */
  journal: AuditPort & { guard: PassGuard; onWriteOutcome?(listener: (error: unknown) => void): () => void };
  station: StationChoices & { stationId: string; auditFolder: string };
  /** Epoch ms for deadlines; default Date.now. Tests pass the same clock as `timers` and `machineClock`. */
  clock?: ClockPort;
  /** Timers of the deletion queue and completion polling. */
  timers?: Timers;
  /** XState's clock for the machine's delayed events (timeouts). */
  machineClock?: NonNullable<ActorOptions<EnrollmentMachine>['clock']>;
  /** Replaces the lifecycle services (unit tests of the machine wiring). */
  lifecycle?: LifecyclePort;
  pollSchedule?: Partial<PollSchedule>;
  /** How long quit waits for pending deletions. Default 10 s. */
  drainTimeoutMs?: number;
  newId?: () => string;
  /** The passkey made at the desk (main/station/provision-port.ts); absent: My Security Info only. */
  provision?: ProvisionPort;
  /** Event mode (main/event/ EventMode): claims before anything is spent; absent without an event. */
  event?: EventPort | undefined;
  /** Resetting a returned key (main/station/recycle-port.ts); absent: not offered. */
  recycle?: RecyclePort;
  /** The station's configured language (My Security Info opens in it until the renderer switches). Default English. */
  language?: 'en' | 'de';
}

export type CommandResult = { ok: true } | { ok: false; error: string };

const EVENT_OF: Record<Exclude<SessionCommand['type'], 'winkKey' | 'fillUserName' | 'submitPin' | 'setLanguage'>, string> = {
  signIn: 'SIGN_IN',
  search: 'SEARCH',
  selectUser: 'SELECT_USER',
  backToSearch: 'BACK_TO_SEARCH',
  confirmIdentity: 'CONFIRM_IDENTITY',
  chooseLifetime: 'CHOOSE_LIFETIME',
  recheck: 'RECHECK',
  issue: 'ISSUE',
  confirmReplace: 'CONFIRM_REPLACE',
  handedOver: 'HANDED_OVER',
  hidePass: 'HIDE_PASS',
  cancel: 'CANCEL',
  lostKey: 'LOST_KEY',
  deleteKeys: 'DELETE_KEYS',
  confirmDeleteKeys: 'CONFIRM_DELETE_KEYS',
  revokeSessions: 'REVOKE_SESSIONS',
  continueEnrollment: 'CONTINUE',
  signOut: 'SIGN_OUT',
  lock: 'LOCK',
  unlock: 'UNLOCK',
  dismiss: 'DISMISS',
  chooseMode: 'CHOOSE_MODE',
  recycleKey: 'RECYCLE_KEY',
  confirmRecycle: 'CONFIRM_RECYCLE',
  randomPin: 'RANDOM_PIN',
  pinNoted: 'PIN_NOTED',
};

export class EnrollmentSession {
  readonly #o: EnrollmentSessionOptions;
  readonly #clock: ClockPort;
  readonly #deleter: TapDeleter;
  readonly #lifecycle: LifecyclePort;
  readonly #machine: EnrollmentMachine;
  readonly #listeners = new Set<(snapshot: SessionSnapshot) => void>();
  readonly #pins = new PinSlot();
  /** The kiosk's language now: the configured one until the renderer says otherwise (`setLanguage`). */
  #language: 'en' | 'de';
  #actor: Actor<EnrollmentMachine> | null = null;
  #unsubscribeKeys: (() => void) | null = null;
  #last: SessionSnapshot | null = null;
  #recovery: Promise<RecoveryReport> | null = null;
  /** Recovery could not ask Graph (typically: no operator token yet at start); run it again after sign-in. */
  #recoveryUnresolved = false;
  #wipedAtStart = false;

  constructor(options: EnrollmentSessionOptions) {
    this.#o = options;
    this.#language = options.language ?? 'en';
    this.#clock = options.clock ?? { now: () => Date.now() };
    const timers = options.timers ?? systemTimers;
    this.#deleter = new TapDeleter({
      directory: options.directory,
      audit: options.journal,
      clock: this.#clock,
      timers,
      onChange: (pending) => this.#actor?.send({ type: 'PENDING_DELETIONS', count: pending.length }),
    });
    this.#lifecycle =
      options.lifecycle ??
      createLifecycle({
        directory: options.directory,
        journal: options.journal,
        keys: options.keys,
        view: options.view,
        deleter: this.#deleter,
        clock: this.#clock,
        timers,
        pollSchedule: options.pollSchedule,
      });
    this.#machine = createEnrollmentMachine({
      operator: options.operator,
      directory: options.directory,
      keys: options.keys,
      view: options.view,
      audit: options.journal,
      lifecycle: this.#lifecycle,
      clock: this.#clock,
      station: options.station,
      newId: options.newId ?? randomUUID,
      ...(options.provision ? { provision: options.provision, pins: this.#pins } : {}),
      event: options.event,
      ...(options.recycle ? { recycle: options.recycle } : {}),
      language: () => this.#language,
    });
  }

  /**
   * Crash recovery, then the machine. Resolves with what recovery found. Graph usually cannot be asked yet at
   * start (no operator has signed in, so there is no token): such TAPs stay `unresolved`, the browser session is
   * wiped regardless, and recovery runs again as soon as an operator has signed in (`whenRecovered()`).
   */
  async start(): Promise<RecoveryReport> {
    if (this.#actor) throw new Error('the enrollment session is already started');
    this.#recovery = this.#recover(true);
    const report = await this.#recovery;
    const actor = createActor(this.#machine, {
      input: { keys: this.#o.keys.state() },
      ...(this.#o.machineClock ? { clock: this.#o.machineClock } : {}),
    });
    actor.subscribe((snap) => {
      if (this.#recoveryUnresolved && snap.context.operator !== null) {
        this.#recoveryUnresolved = false;
        this.#recovery = this.#recover();
      }
      const view = toSnapshot(snap);
      this.#last = view;
      for (const listener of [...this.#listeners]) listener(view);
    });
    this.#actor = actor;
    actor.start();
    actor.send({ type: 'PENDING_DELETIONS', count: this.#deleter.pending().length });
    const offKeys = this.#o.keys.onChange((state) => actor.send({ type: 'KEYS', state }));
    let health = 'ok';
    const offJournal = this.#o.journal.onWriteOutcome?.((error) => {
      const next = journalHealthOf(error);
      if (next === health) return; // a change only, not every write
      health = next;
      actor.send({ type: 'JOURNAL', health: next });
      // Resumed after an outage: what was done at Graph meanwhile (a pass deleted, its record missed) is settled now,
      // not at the next start. After the resume's own record; the live enrollment's pass is left to its clean-up.
      if (next === 'ok') void this.#settleAfterOutage();
    });
    this.#unsubscribeKeys = () => {
      offKeys();
      offJournal?.();
    };
    return report;
  }

  /** The latest crash recovery run (the one at start, or the one after the first sign-in). */
  whenRecovered(): Promise<RecoveryReport | null> {
    return this.#recovery ?? Promise.resolve(null);
  }

  /** Crash recovery again once the journal has resumed (see start()); waits for a run still going. */
  async #settleAfterOutage(): Promise<void> {
    const previous = this.#recovery;
    const run = (async () => {
      await previous?.catch(() => undefined);
      // Queued behind the journal's own resumption (its `resumed` record), so recovery reads a settled chain.
      await this.#o.journal.probe?.();
      return this.#recover();
    })();
    this.#recovery = run;
    // A failure here (Graph down: unresolved, retried after sign-in; the journal down again: rerun on its next resume)
    // leaves the journal listing the pass, as before.
    await run.catch(() => undefined);
  }

  /** An open TAP of the enrollment in progress (issuing, live, or being cleaned up): that enrollment settles it. */
  #ownedByLiveEnrollment(tap: { enrollmentId?: string | undefined }): boolean {
    const snap = this.#actor?.getSnapshot();
    if (!snap || tap.enrollmentId === undefined || snap.context.enrollmentId !== tap.enrollmentId) return false;
    return snap.context.tap !== null || snap.hasTag('issuing') || snap.hasTag('cleaning-up');
  }

  /** `atStart`: a previous run's enrollment may have ended in a crash, so the browser session is wiped (once). */
  async #recover(atStart = false): Promise<RecoveryReport> {
    const report = await recoverTaps(
      { folder: this.#o.station.auditFolder, stationId: this.#o.station.stationId },
      {
        directory: this.#o.directory,
        audit: this.#o.journal,
        deleter: this.#deleter,
        ownedByLiveEnrollment: (tap) => this.#ownedByLiveEnrollment(tap),
      },
    );
    this.#recoveryUnresolved = report.items.some((i) => i.outcome === 'unresolved');
    if (atStart && report.wipeSession && !this.#wipedAtStart) {
      this.#wipedAtStart = true;
      await this.#o.view.wipe();
      const ids = report.interruptedEnrollments.length > 0 ? report.interruptedEnrollments : [undefined];
      for (const enrollmentId of ids) {
        await this.#o.journal.append(auditEvents.sessionWiped({ ...(enrollmentId ? { enrollmentId } : {}), reason: 'crash-recovery' }));
      }
    }
    return report;
  }

  /** One command from the renderer, validated against the schema. */
  send(command: unknown): CommandResult {
    const actor = this.#actor;
    if (!actor) return { ok: false, error: 'the session is not running' };
    const parsed = sessionCommandSchema.safeParse(command);
    if (!parsed.success) return { ok: false, error: `not a command: ${parsed.error.issues.map((i) => i.path.join('.') || i.code).join(', ')}` };
    const cmd = parsed.data;
    actor.send({ type: 'ACTIVITY' });
    if (cmd.type === 'setLanguage') {
      this.#language = cmd.language;
      return { ok: true };
    }
    if (cmd.type === 'winkKey') {
      const keyId = this.#last?.key.keyId;
      if (keyId) void this.#o.keys.wink(keyId).catch(() => false);
      return { ok: true };
    }
    if (cmd.type === 'fillUserName') {
      // The user name of the person on the card, into the sign-in page; never the pass.
      const last = this.#last;
      const fill = this.#o.view.fillUserName?.bind(this.#o.view);
      if (last?.screen !== 'waiting-for-sign-in' || !last.signInPage || !fill) return { ok: false, error: 'My Security Info is not asking for a user name' };
      void fill(last.user.userPrincipalName).catch(() => false);
      return { ok: true };
    }
    // The PIN, once per use, only while the PIN pad is up (provision.ts).
    if (cmd.type === 'submitPin') return submitPin(this.#pins, this.#last, cmd, () => actor.send({ type: 'PIN_SUBMITTED' }));
    const { type, ...rest } = cmd;
    actor.send({ type: EVENT_OF[type], ...rest } as Parameters<typeof actor.send>[0]);
    return { ok: true };
  }

  /** Every snapshot from now on; the current one at once. Returns the unsubscribe function. */
  subscribe(listener: (snapshot: SessionSnapshot) => void): () => void {
    this.#listeners.add(listener);
    if (this.#last) listener(this.#last);
    return () => this.#listeners.delete(listener);
  }

  snapshot(): SessionSnapshot | null {
    return this.#last;
  }

  /** Deletions queued and still being retried. */
  pendingDeletions(): number {
    return this.#deleter.pending().length;
  }

  /** Quit: cancel the enrollment, clean up, drain the deletion queue (bounded), stop. Resolves with what is left. */
  async stop(): Promise<{ pendingDeletions: number }> {
    const actor = this.#actor;
    if (!actor) return { pendingDeletions: this.#deleter.pending().length };
    this.#unsubscribeKeys?.();
    this.#unsubscribeKeys = null;
    await new Promise<void>((resolve) => {
      const sub = actor.subscribe((snap) => {
        if (snap.status !== 'active' || snap.value === 'stopped') {
          sub.unsubscribe();
          resolve();
        }
      });
      actor.send({ type: 'QUIT' });
      const now = actor.getSnapshot();
      if (now.status !== 'active' || now.value === 'stopped') {
        sub.unsubscribe();
        resolve();
      }
    });
    const left = await this.#lifecycle.drain(this.#o.drainTimeoutMs ?? 10_000);
    actor.stop();
    this.#deleter.stop();
    this.#actor = null;
    return { pendingDeletions: left };
  }
}
