/**
 * Seeing the user sign in and register their key, with as few Graph requests as possible.
 *
 * Sign-in, whichever comes first (it starts the 10-minute window; `signin.observed` records which):
 *  - the My Security Info view navigates past the sign-in pages (view-progress.ts): free, and immediate;
 *  - the TAP reads `OneTimeUsed` (`TapDirectoryPort.getTap`), polled as a safety net.
 * Completion: `listSecurityKeys` shows a method created after the TAP's `createdDateTime`. Microsoft registers the
 * key when the person, back on Security info after the ceremony, names it and selects Next (Microsoft Learn, "Set up
 * a security key as your verification method", step 8). Polled (the back-offs: poll-schedule.ts)
 *  - at once when the view leaves the naming page for another My Security Info page (`leftNaming`,
 *    view-progress.ts: "Done", the methods list reloaded), then 5 → 10 → 20 → 30 s cap (Graph may lag behind);
 *  - while the view says the person is mid-registration, only as a safety net: in the ceremony on
 *    login.microsoft.com (`registering`) 120 s → 240 s cap, the key cannot exist before the view comes back; on the
 *    naming page (`naming-key`) 15 s → 60 s cap, in case no later hop shows (a page that names the key without a
 *    navigation);
 *  - otherwise only while the view is quiet: every view navigation restarts the wait, and each poll that finds
 *    nothing doubles it. With no view, or a view whose URLs say nothing recognisable: sign-in 30 s → 60 s cap, then
 *    keys 30 s → 60 s cap. Once the view has shown Microsoft's hops it will also show the ceremony and the naming,
 *    so polls are only a safety net: 60 s → 120 s cap;
 *  - a throttled or failed poll waits Retry-After when Graph sent one, else the next back-off step.
 * The new key's AAGUID is matched against the key(s) identified at this station during the enrollment
 * (KeysPort, plus the one pre-flight saw), so unplugging the key before Graph shows it does not matter.
 * Then `key.registered` is recorded and the watch ends.
 *
 * Expected Graph requests for a user taking 3 minutes from the pass on screen to "done":
 *  - with the view on Microsoft's hosts (sign-in, the ceremony and the naming seen from the URLs): 1–2 (the read
 *    when the naming page is left, plus one per quiet stretch of 60 s or more before the ceremony);
 *  - with no view, or URLs that say nothing: 3–5 (getTap at 30 s and 90 s until sign-in is seen; keys 30 s after
 *    sign-in, then every 60 s).
 * The TAP's create and delete add 2; the pre-creation TAP check 0 when the identity card's TAP is passed
 * (`knownTaps`), else 1.
 *
 * `watchCompletion` starts a watch; the station session's one wrapper around it (enrollment/tap-lifecycle.ts
 * `watchUntil`) runs one watch while the chart waits for the sign-in and one while it waits for the key, and ends
 * it when the chart leaves that state.
 */
import { auditEvents } from '../audit';
import type { SecurityKeyMethod, TapMethod } from '../../common/directory';
import type { KeyWatcherState } from '../keys/watcher';
import type { AuditPort, ClockPort, TapDirectoryPort, KeysPort, SecurityInfoViewPort } from './ports';
import { graphFailure, isGone, type GraphFailure } from '../directory/failure';
import { DEFAULT_POLL_SCHEDULE, pollBackoff, type PollSchedule } from './poll-schedule';
import { backoffDelay, delayHonouringRetryAfter, systemTimers, type TimerHandle, type Timers } from './scheduling';
import { SIGNED_IN_PHASES, ViewProgress, type ViewPhase } from './view-progress';

export type SignInVia = 'tap-used' | 'view-navigated';

export interface SignInObserved {
  via: SignInVia;
  /** Epoch ms (ClockPort). */
  at: number;
}

export interface RegisteredKey {
  methodId: string;
  aaguid: string | null;
  model: string | null;
  displayName: string | null;
  createdDateTime: string | null;
  /** The registered AAGUID is the one of a key identified at this station during this enrollment. */
  stationKey: boolean;
  method: SecurityKeyMethod;
}

export type CompletionEvent =
  | { type: 'signed-in'; signIn: SignInObserved }
  | { type: 'registered'; key: RegisteredKey }
  | { type: 'view'; phase: ViewPhase }
  /** The TAP is gone (deleted elsewhere) or expired before sign-in: the user cannot sign in with it any more. */
  | { type: 'tap-unusable'; reason: string }
  | { type: 'poll-failed'; failure: GraphFailure; retryInMs: number }
  | { type: 'journal-error'; error: unknown };

export interface CompletionRequest {
  enrollmentId: string;
  user: { id: string; upn: string };
  tap: Pick<TapMethod, 'id' | 'createdDateTime'>;
  /** Sign-in was already observed: watch for the key only. */
  signedIn?: SignInObserved | null;
  /** AAGUID of the key identified at pre-flight. */
  stationAaguid?: string | null;
  schedule?: Partial<PollSchedule>;
}

export interface CompletionDeps {
  directory: Pick<TapDirectoryPort, 'getTap' | 'listSecurityKeys'>;
  audit: AuditPort;
  keys?: Pick<KeysPort, 'state' | 'onChange'>;
  view?: Pick<SecurityInfoViewPort, 'onNavigation'>;
  clock?: ClockPort;
  timers?: Timers;
}

type Phase = 'sign-in' | 'key' | 'finished';

const UNKNOWN_MODEL = 'Unknown security key';
const NIL_AAGUID = '00000000-0000-0000-0000-000000000000';

export class CompletionWatch {
  readonly #request: CompletionRequest;
  readonly #deps: CompletionDeps;
  readonly #schedule: PollSchedule;
  readonly #clock: ClockPort;
  readonly #timers: Timers;
  readonly #listeners = new Set<(event: CompletionEvent) => void>();
  readonly #progress: ViewProgress;
  readonly #stationKeys = new Map<string, string | null>();
  readonly #abort = new AbortController();
  readonly #unsubscribe: (() => void)[] = [];
  #phase: Phase;
  #signIn: SignInObserved | null;
  #emptyPolls = 0;
  #doneSeen = false;
  /** The view has shown Microsoft's hops, so it will also show the return from the registration ceremony. */
  #viewHasSteps = false;
  /** Where the view last said the person is, when that is mid-registration (the ceremony, the naming page). */
  #midRegistration: 'registering' | 'naming-key' | null = null;
  #tapPolling = true;
  #timer: TimerHandle | null = null;
  #dueAt: number | null = null;
  #polling: Promise<void> | null = null;
  #pollAgain = false;
  #started = false;
  readonly #requests = { getTap: 0, listSecurityKeys: 0 };
  #resolveSignIn: (value: SignInObserved) => void = () => undefined;
  #resolveRegistered: (value: RegisteredKey) => void = () => undefined;
  /** Resolves when sign-in is observed (never rejects; stays pending if the watch stops first). */
  readonly signedIn: Promise<SignInObserved>;
  /** Resolves when the new key is found (never rejects; stays pending if the watch stops first). */
  readonly registered: Promise<RegisteredKey>;

  constructor(request: CompletionRequest, deps: CompletionDeps) {
    this.#request = request;
    this.#deps = deps;
    this.#schedule = { ...DEFAULT_POLL_SCHEDULE, ...request.schedule };
    this.#clock = deps.clock ?? { now: () => Date.now() };
    this.#timers = deps.timers ?? systemTimers;
    this.#signIn = request.signedIn ?? null;
    this.#phase = this.#signIn ? 'key' : 'sign-in';
    this.#progress = new ViewProgress({ signedIn: this.#signIn !== null });
    // A sign-in seen in the view's hops: the view shows Microsoft's hops, and will show the ceremony too.
    this.#viewHasSteps = this.#signIn?.via === 'view-navigated';
    this.signedIn = new Promise((resolve) => (this.#resolveSignIn = resolve));
    this.registered = new Promise((resolve) => (this.#resolveRegistered = resolve));
    if (this.#signIn) this.#resolveSignIn(this.#signIn);
    if (request.stationAaguid) this.#stationKeys.set(request.stationAaguid.toLowerCase(), null);
  }

  /** Subscribe to events; returns the unsubscribe function. */
  on(listener: (event: CompletionEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  start(): this {
    if (this.#started) return this;
    this.#started = true;
    if (this.#deps.keys) {
      this.#noteKeys(this.#deps.keys.state());
      this.#unsubscribe.push(this.#deps.keys.onChange((state) => this.#noteKeys(state)));
    }
    if (this.#deps.view) this.#unsubscribe.push(this.#deps.view.onNavigation((navigation) => this.#onNavigation(navigation)));
    if (this.#phase !== 'finished') this.#scheduleIn(this.#interval());
    return this;
  }

  /** Ends the watch: no more polls, no more events. In-flight requests are aborted. */
  stop(): void {
    this.#phase = 'finished';
    this.#cancelTimer();
    for (const off of this.#unsubscribe.splice(0)) off();
    this.#abort.abort(new Error('completion watch stopped'));
  }

  /** Poll now (e.g. the operator pressed "check now"). */
  pollNow(): void {
    if (this.#phase === 'finished') return;
    if (this.#polling) {
      this.#pollAgain = true;
      return;
    }
    this.#cancelTimer();
    void this.#poll();
  }

  /** Resolves when no poll is in flight (one started by a view event or `pollNow`, say). */
  async whenIdle(): Promise<void> {
    while (this.#polling) await this.#polling;
  }

  /** Graph requests this watch made. */
  stats(): { getTap: number; listSecurityKeys: number; total: number; nextPollAt: number | null } {
    return { ...this.#requests, total: this.#requests.getTap + this.#requests.listSecurityKeys, nextPollAt: this.#dueAt };
  }

  // --- view and keys ---------------------------------------------------------------------------------------------

  #onNavigation(navigation: { url: string }): void {
    if (this.#phase === 'finished') return;
    const phase = this.#progress.phaseOf(navigation);
    if (phase !== 'unknown') this.#viewHasSteps = true;
    this.#emit({ type: 'view', phase });
    if (this.#phase === 'sign-in') {
      if (SIGNED_IN_PHASES.has(phase)) {
        void this.#observeSignIn('view-navigated');
        this.#afterHop(phase, true);
      } else if (this.#tapPolling) {
        this.#restartWait();
      }
      return;
    }
    this.#afterHop(phase, false);
  }

  /**
   * The key is looked for at once when the naming page is left; mid-registration the wait is a safety net's.
   * `signedInNow`: the sign-in was seen just now, so a TAP poll in flight will not schedule the next one.
   */
  #afterHop(phase: ViewPhase, signedInNow: boolean): void {
    if (this.#progress.leftNaming) return this.#markDone();
    const mid = phase === 'registering' || phase === 'naming-key' ? phase : null;
    // Entering the ceremony or the naming page starts that stretch's own back-off from its first step.
    if (mid !== this.#midRegistration) this.#emptyPolls = 0;
    this.#midRegistration = mid;
    if (signedInNow) this.#scheduleIn(this.#interval());
    else this.#restartWait();
  }

  #markDone(): void {
    if (!this.#doneSeen) {
      this.#doneSeen = true;
      // The poll made now does not count as waiting: if Graph does not show the key yet, the next is 5 s away.
      this.#emptyPolls = -1;
    }
    this.pollNow();
  }

  #noteKeys(state: KeyWatcherState): void {
    for (const key of state.keys) {
      if (key.identity.status !== 'identified') continue;
      const aaguid = key.identity.key.identity.aaguid;
      if (aaguid) this.#stationKeys.set(aaguid.toLowerCase(), key.identity.key.identity.model);
    }
  }

  // --- polling ---------------------------------------------------------------------------------------------------

  #interval(): number {
    const where = { doneSeen: this.#doneSeen, midRegistration: this.#midRegistration, viewHasSteps: this.#viewHasSteps, signedIn: this.#phase !== 'sign-in' };
    return backoffDelay(this.#emptyPolls + 1, pollBackoff(this.#schedule, where));
  }

  /** The user is doing something in the view: nothing to ask Graph yet, so the wait starts over. */
  #restartWait(): void {
    if (this.#polling || this.#phase === 'finished') return;
    this.#scheduleIn(this.#interval());
  }

  #scheduleIn(ms: number): void {
    this.#cancelTimer();
    if (this.#phase === 'finished' || (this.#phase === 'sign-in' && !this.#tapPolling)) return;
    this.#dueAt = this.#clock.now() + ms;
    this.#timer = this.#timers.setTimeout(() => {
      this.#timer = null;
      this.#dueAt = null;
      return this.#poll();
    }, ms);
  }

  #cancelTimer(): void {
    if (this.#timer !== null) this.#timers.clearTimeout(this.#timer);
    this.#timer = null;
    this.#dueAt = null;
  }

  #poll(): Promise<void> {
    if (this.#polling) return this.#polling;
    const run = (this.#phase === 'sign-in' ? this.#pollTap() : this.#phase === 'key' ? this.#pollKeys() : Promise.resolve())
      .catch((error: unknown) => this.#onPollError(error))
      .finally(() => {
        this.#polling = null;
        if (this.#pollAgain && this.#phase !== 'finished') {
          this.#pollAgain = false;
          this.#cancelTimer();
          return this.#poll();
        }
        return undefined;
      });
    this.#polling = run;
    return run;
  }

  async #pollTap(): Promise<void> {
    this.#requests.getTap += 1;
    let tap: TapMethod | null;
    try {
      tap = await this.#deps.directory.getTap(this.#request.user.id, this.#request.tap.id, this.#abort.signal);
    } catch (error) {
      if (!isGone(graphFailure(error))) throw error;
      tap = null;
    }
    if (this.#phase !== 'sign-in') return; // the view got there first, or stopped
    if (tap === null || tap.methodUsabilityReason === 'Expired') {
      // Nobody can sign in with it any more; the view may still report a sign-in that already happened.
      this.#tapPolling = false;
      this.#emit({ type: 'tap-unusable', reason: tap === null ? 'deleted' : 'Expired' });
      return;
    }
    if (tap.methodUsabilityReason === 'OneTimeUsed') {
      await this.#observeSignIn('tap-used');
      this.#scheduleIn(this.#interval());
      return;
    }
    this.#emptyPolls += 1;
    this.#scheduleIn(this.#interval());
  }

  async #pollKeys(): Promise<void> {
    this.#requests.listSecurityKeys += 1;
    const keys = await this.#deps.directory.listSecurityKeys(this.#request.user.id, this.#abort.signal);
    if (this.#phase !== 'key') return;
    const found = this.#pickNewKey(keys);
    if (!found) {
      this.#emptyPolls += 1;
      this.#scheduleIn(this.#interval());
      return;
    }
    this.#phase = 'finished';
    this.#cancelTimer();
    const stationModel = found.aaguid ? this.#stationKeys.get(found.aaguid) : undefined;
    const key: RegisteredKey = {
      methodId: found.method.id,
      aaguid: found.aaguid,
      model: found.method.model ?? stationModel ?? null,
      displayName: found.method.displayName,
      createdDateTime: found.method.createdDateTime,
      stationKey: found.station,
      method: found.method,
    };
    await this.#record(() =>
      auditEvents.keyRegistered({
        enrollmentId: this.#request.enrollmentId,
        user: this.#request.user,
        methodId: key.methodId,
        aaguid: key.aaguid ?? NIL_AAGUID,
        model: (key.model ?? UNKNOWN_MODEL).slice(0, 120),
        stationKey: key.stationKey,
      }),
    );
    this.#emit({ type: 'registered', key });
    this.#resolveRegistered(key);
    this.stop();
  }

  /** Keys created after the TAP; one from this station's key first, newest first. */
  #pickNewKey(keys: SecurityKeyMethod[]): { method: SecurityKeyMethod; aaguid: string | null; station: boolean } | null {
    const since = Date.parse(this.#request.tap.createdDateTime);
    const fresh = keys
      .filter((k) => k.createdDateTime !== null && Date.parse(k.createdDateTime) > since)
      .map((method) => {
        const aaguid = method.aaGuid ? method.aaGuid.toLowerCase() : null;
        return { method, aaguid, station: aaguid !== null && this.#stationKeys.has(aaguid) };
      })
      .sort((a, b) => Number(b.station) - Number(a.station) || Date.parse(b.method.createdDateTime ?? '') - Date.parse(a.method.createdDateTime ?? ''));
    return fresh[0] ?? null;
  }

  #onPollError(error: unknown): void {
    if (this.#phase === 'finished') return;
    const failure = graphFailure(error);
    this.#emptyPolls += 1;
    const retryInMs = delayHonouringRetryAfter(this.#interval(), failure.retryAfterMs);
    this.#emit({ type: 'poll-failed', failure, retryInMs });
    this.#scheduleIn(retryInMs);
  }

  async #observeSignIn(via: SignInVia): Promise<void> {
    if (this.#signIn) return;
    const signIn: SignInObserved = { via, at: this.#clock.now() };
    this.#signIn = signIn;
    this.#phase = 'key';
    this.#emptyPolls = 0;
    this.#resolveSignIn(signIn);
    this.#emit({ type: 'signed-in', signIn });
    await this.#record(() => auditEvents.signinObserved({ enrollmentId: this.#request.enrollmentId, user: this.#request.user, via }));
  }

  async #record(build: () => Parameters<AuditPort['append']>[0]): Promise<void> {
    try {
      await this.#deps.audit.append(build());
    } catch (error) {
      this.#emit({ type: 'journal-error', error });
    }
  }

  #emit(event: CompletionEvent): void {
    for (const listener of [...this.#listeners]) listener(event);
  }
}

/** Starts a watch over both phases; stop it with `stop()`. */
export function watchCompletion(request: CompletionRequest, deps: CompletionDeps, listener?: (event: CompletionEvent) => void): CompletionWatch {
  const watch = new CompletionWatch(request, deps);
  if (listener) watch.on(listener);
  return watch.start();
}
