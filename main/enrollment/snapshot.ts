// toSnapshot: the machine's state → what the renderer shows (common/session.ts's SessionSnapshot). Pure.
import type { IssueNotice, KeyWarningCode } from '../../common/codes';
import type { OperatorIdentity } from '../../common/operator';
import { sessionError } from './failures';
import { freshCountdown, interruptOf, whenFreshEnds } from './freshness';
import { modeChoice, type EventModes, type ModeConfig } from './modes';
import { PROVISION_STAGES, pinPadOf, provisionPhase, type ProvisionContext, type ProvisionStage } from './provision';
import { RECYCLE_STAGES, type RecycleChartStage, type RecycleContext } from './recycle';
import type { IdentityCard, SecurityKeyMethod, UserSummary } from '../../common/directory';
import {
  ID_DOCUMENT_VALUES,
  RESET_WINDOW_S,
  type CheckStatus,
  type CleanupReport,
  type Countdown,
  type GuideStep,
  type IdDocument,
  type KeyStatus,
  type OperatorView,
  type PreflightCheck,
  type SessionError,
  type SessionSnapshot,
  type ViewPhase,
} from '../../common/session';

// No XState and no Node at run time: the machine is read through MachineView (its tags and context).

/** The key reader's state as this mapping reads it (keys/watcher.ts KeyWatcherState, structurally). */
export interface KeysView {
  readonly reader: { readonly status: string };
  readonly presence: 'none' | 'one' | 'multiple';
  readonly keys: readonly {
    readonly id: string;
    readonly product?: string | undefined;
    readonly identity:
      | { readonly status: 'pending' }
      | { readonly status: 'unavailable' }
      | {
          readonly status: 'identified';
          readonly key: {
            readonly identity: { readonly model: string | null; readonly vendor: string | null; readonly aaguid: string | null };
            readonly ctaphid: { readonly capabilities: { readonly wink: boolean } };
          };
        };
  }[];
}

/** The lost-key branch's steps, as the screen shows them (lost-key.ts tags each `lost-key:<step>`). */
export const LOST_KEY_STEPS = ['loading', 'choosing', 'confirming', 'deleting', 'revoking'] as const;
export type LostKeyStep = (typeof LOST_KEY_STEPS)[number];

/**
 * The tags the chart's states carry (machine.ts, lost-key.ts): each state has one screen tag naming what the
 * screen shows in it; the lost-key steps carry `lost-key:<step>` besides. `toSnapshot` reads these and the
 * context; it never reads a state's name or path, so the chart can be reshaped without touching this mapping
 * as long as each state keeps its tag.
 */
export const SCREEN_TAGS = [
  'signed-out',
  'signing-in',
  'reauth',
  'locked',
  'stopped',
  'ready',
  'search-failed',
  'searching',
  'search-results',
  'loading-user',
  'identity',
  'checking',
  'preflight',
  'confirm-replace',
  'issuing',
  'handover',
  'waiting-for-sign-in',
  'registering',
  'lost-key',
  'provisioning',
  'recycle',
  'cleaning-up',
  'done',
  'cancelled',
  'timed-out',
  'failed',
] as const;
export type ScreenTag = (typeof SCREEN_TAGS)[number];
export type ChartTag = ScreenTag | `lost-key:${LostKeyStep}` | `provision:${ProvisionStage}` | `recycle:${RecycleChartStage}`;

/**
 * The parts of the machine's snapshot this mapping reads: the active states' tags and machine.ts's
 * SessionContext, stated structurally so that neither XState nor the machine's Node-facing imports enter the
 * renderer's type graph. An XState snapshot of the chart is one.
 */
export interface MachineView {
  tags: ReadonlySet<string>;
  context: {
    operator: OperatorIdentity | null;
    keys: KeysView;
    signInReason: 'start' | 'unlock' | 'token-revoked';
    query: string;
    results: UserSummary[];
    selectedUserId: string | null;
    enrollmentId: string | null;
    card: IdentityCard | null;
    document: IdDocument | null;
    preflight: {
      checks: readonly PreflightCheck[];
      verdict: 'go' | 'refused';
      lifetimeMinutes: number;
      lifetimeBounds: { readonly min: number; readonly max: number };
      oneTime: boolean;
      key: KeyStatus;
    } | null;
    tap: { expiresAt: number; method: { isUsableOnce: boolean; lifetimeInMinutes: number }; notices?: IssueNotice[] } | null;
    pass: string | null;
    handoverEndsAt: number | null;
    /** While issuing: waiting for an account created minutes ago (epoch ms). */
    issueWait: { nextAttemptAt: number; retryUntil: number } | null;
    signedInAt: number | null;
    windowEndsAt: number | null;
    /** The latest sign-in after the first (freshness.ts). */
    freshSignInAt?: number | null;
    /** From the view's navigations between Microsoft's hosts (view-progress.ts). */
    viewPhase: ViewPhase | null;
    lockedBy: { upn: string; displayName: string } | null;
    registered: { method: SecurityKeyMethod; stationKey: boolean } | null;
    error: SessionError | null;
    why: string;
    cleanup: CleanupReport | null;
    lost: { keys: SecurityKeyMethod[]; selected: string[]; deleted: string[]; revoked: boolean; error: SessionError | null };
    pendingDeletions: number;
    nextAt: number | null;
    modes: ModeConfig;
    eventModes: EventModes;
    provision: ProvisionContext;
    recycle: RecycleContext;
    recycleOffered: boolean;
  };
}

/**
 * Whether My Security Info has moved past the prompt for the pass: signed in, or further (the page's progress,
 * main/tap/view-progress.ts). Until then the person's panel keeps the pass on screen.
 */
export function pastPassPrompt(phase: ViewPhase | null): boolean {
  return phase === 'signed-in' || phase === 'registration-interrupt' || phase === 'registering' || phase === 'naming-key' || phase === 'done';
}

/**
 * The guide panel's step after sign-in, from the view's hops (tap/view-progress.ts): back on My Security Info →
 * add the key; on login.microsoft.com's registration page → touch the key; back from it → name the key. One step
 * at a time; "done" comes from Graph (the done screen), never from a URL.
 */
const GUIDE_OF_PHASE: Readonly<Partial<Record<ViewPhase, GuideStep>>> = {
  // Back on a sign-in host after signing in: signing in again (five minutes passed: freshness.ts).
  'signing-in': 'sign-in',
  'signed-in': 'add-key',
  // On the interrupt the key can be added at once ("Security key"): the same step.
  'registration-interrupt': 'add-key',
  registering: 'touch-key',
  'naming-key': 'name-key',
  done: 'done',
};

export function toSnapshot(machine: MachineView): SessionSnapshot {
  const ctx = machine.context;
  const screen = SCREEN_TAGS.find((tag) => machine.tags.has(tag));
  const operator: OperatorView | null = ctx.operator
    ? {
        id: ctx.operator.id,
        upn: ctx.operator.userPrincipalName,
        displayName: ctx.operator.displayName,
        roleNames: ctx.operator.roleNames,
        capability: ctx.operator.capability,
      }
    : null;
  const key = ctx.preflight?.key ?? keyOnly(ctx);
  const base = { operator, key, pendingDeletions: ctx.pendingDeletions };
  const cleanup: CleanupReport = ctx.cleanup ?? { tap: 'none', viewWiped: false };
  const withUser = () => ({ ...base, enrollmentId: ctx.enrollmentId ?? '', user: ctx.card as IdentityCard });
  // The key gone (or more than one) while the person signs in or registers: plug it back in, the pass stays valid.
  const keyWarning: KeyWarningCode | null = key.presence === 'one' ? null : 'unplugged';
  const tapCountdown = (): Countdown[] => (ctx.tap ? [{ kind: 'tap-lifetime', endsAt: ctx.tap.expiresAt }] : []);

  switch (screen) {
    case 'signed-out':
      return { ...base, screen: 'signed-out', error: ctx.error };
    case 'signing-in':
      return { ...base, screen: 'signing-in', reason: ctx.signInReason, error: null };
    case 'reauth':
      return { ...base, screen: 'signing-in', reason: 'token-revoked', error: ctx.error };
    case 'locked':
      return { ...base, screen: 'locked', lockedBy: ctx.lockedBy };
    case 'stopped':
      return { ...base, screen: 'stopped' };
    case 'ready':
      return { ...base, screen: 'ready', query: ctx.query, error: null, canRecycle: ctx.recycleOffered };
    case 'search-failed':
      return { ...base, screen: 'ready', query: ctx.query, error: ctx.error };
    case 'searching':
      return { ...base, screen: 'searching', query: ctx.query };
    case 'search-results':
      return { ...base, screen: 'search-results', query: ctx.query, results: ctx.results };
    case 'loading-user':
      return { ...base, screen: 'loading-user', userId: ctx.selectedUserId ?? '' };
    case 'identity':
      return { ...withUser(), screen: 'identity', documents: ID_DOCUMENT_VALUES };
    case 'checking':
      return { ...withUser(), screen: 'checking' };
    case 'preflight': {
      const p = ctx.preflight;
      if (!p) return { ...withUser(), screen: 'checking' };
      const order: CheckStatus[] = ['fail', 'unknown', 'warn', 'pass'];
      const worst = order.find((s) => p.checks.some((c) => c.status === s)) ?? 'pass';
      return {
        ...withUser(),
        screen: 'preflight',
        document: ctx.document ?? 'other',
        checks: [...p.checks],
        verdict: p.verdict,
        worst,
        lifetimeMinutes: p.lifetimeMinutes,
        lifetimeBounds: { ...p.lifetimeBounds },
        oneTime: p.oneTime,
        modes: modeChoice(p, ctx.modes, ctx.eventModes),
      };
    }
    case 'confirm-replace': {
      const t = ctx.card?.tap;
      return {
        ...withUser(),
        screen: 'confirm-replace',
        existingTap: {
          id: t?.id ?? '',
          createdDateTime: t?.createdDateTime ?? '',
          lifetimeInMinutes: t?.lifetimeInMinutes ?? 0,
          isUsable: t?.isUsable ?? false,
        },
      };
    }
    case 'issuing':
      return {
        ...withUser(),
        screen: 'issuing',
        waiting: ctx.issueWait
          ? {
              code: 'tap.account-too-new',
              countdowns: [
                { kind: 'next-attempt', endsAt: ctx.issueWait.nextAttemptAt },
                { kind: 'retry-ends', endsAt: ctx.issueWait.retryUntil },
              ],
            }
          : null,
      };
    case 'handover':
    case 'waiting-for-sign-in':
    case 'registering': {
      if (screen === 'handover' && ctx.pass !== null) {
        return {
          ...withUser(),
          screen: 'handover',
          pass: ctx.pass,
          countdowns: [...tapCountdown(), ...(ctx.handoverEndsAt ? [{ kind: 'handover' as const, endsAt: ctx.handoverEndsAt }] : [])],
          guide: 'take-pass',
          oneTime: ctx.tap?.method.isUsableOnce ?? true,
          lifetimeMinutes: ctx.tap?.method.lifetimeInMinutes ?? 0,
          notices: [...(ctx.tap?.notices ?? [])],
        };
      }
      if (screen === 'registering') {
        return {
          ...withUser(),
          screen: 'registering',
          // The registration window first (its deadline winds the session up), then the five minutes of a fresh sign-in
          // when they end sooner: the guide shows whichever binds first (freshness.ts).
          countdowns: [...(ctx.windowEndsAt ? [{ kind: 'registration-window' as const, endsAt: ctx.windowEndsAt }] : []), ...freshCountdown(ctx)],
          guide: GUIDE_OF_PHASE[ctx.viewPhase ?? 'signed-in'] ?? 'add-key',
          keyWarning,
          signedInAt: ctx.signedInAt ?? 0,
          whenFreshEnds: whenFreshEnds(ctx),
          interrupt: interruptOf(ctx),
        };
      }
      return {
        ...withUser(),
        screen: 'waiting-for-sign-in',
        countdowns: tapCountdown(),
        guide: 'sign-in',
        keyWarning,
        pass: ctx.pass,
        passPromptPassed: pastPassPrompt(ctx.viewPhase),
        signInPage: ctx.viewPhase === 'signing-in',
      };
    }
    case 'lost-key': {
      const step = LOST_KEY_STEPS.find((s) => machine.tags.has(`lost-key:${s}`)) ?? 'loading';
      return {
        ...withUser(),
        screen: 'lost-key',
        step,
        keys: ctx.lost.keys,
        selected: ctx.lost.selected,
        deleted: ctx.lost.deleted,
        sessionsRevoked: ctx.lost.revoked,
        error: ctx.lost.error,
      };
    }
    case 'provisioning': {
      const stage = PROVISION_STAGES.find((st) => machine.tags.has(`provision:${st}`)) ?? 'reading';
      const phase = provisionPhase(stage, ctx.provision);
      return {
        ...withUser(),
        screen: 'provisioning',
        phase,
        pinPad: pinPadOf(phase, ctx.provision.key),
        pinBy: ctx.provision.key?.pinBy ?? null,
        error: ctx.provision.error,
        model: ctx.provision.key?.model ?? key.model,
        ...(phase === 'show-pin' && ctx.provision.shown ? { operatorPin: ctx.provision.shown } : {}),
      };
    }
    case 'recycle': {
      const stage = RECYCLE_STAGES.find((st) => machine.tags.has(`recycle:${st}`)) ?? 'confirming';
      const step = stage === 'working' ? (ctx.recycle.stage ?? 'unplug') : stage;
      return { ...base, screen: 'recycle', step, outcome: stage === 'outcome' ? ctx.recycle.outcome : null, windowSeconds: RESET_WINDOW_S };
    }
    case 'cleaning-up': {
      const why =
        ctx.why === 'window-expired' || ctx.why === 'lifetime-expired'
          ? 'timed-out'
          : ctx.why === 'quit' || ctx.why === 'idle' || ctx.why === 'locked' || ctx.why === 'done-then-idle'
            ? 'locked'
            : ctx.why === 'completed' || ctx.why === 'cancelled' || ctx.why === 'failed' || ctx.why === 'signed-out'
              ? ctx.why
              : 'cancelled';
      return { ...base, screen: 'cleaning-up', enrollmentId: ctx.enrollmentId, why };
    }
    case 'done':
      return {
        ...base,
        screen: 'done',
        enrollmentId: ctx.enrollmentId ?? '',
        userDisplayName: ctx.card?.displayName ?? '',
        registered: {
          methodId: ctx.registered?.method.id ?? '',
          displayName: ctx.registered?.method.displayName ?? null,
          model: ctx.registered?.method.model ?? null,
          aaguid: ctx.registered?.method.aaGuid ?? null,
          stationKey: ctx.registered?.stationKey ?? false,
        },
        cleanup,
        nextAt: ctx.nextAt ?? 0,
        ...(ctx.provision.step === 'done' ? { proven: true } : {}),
      };
    case 'cancelled':
      return { ...base, screen: 'cancelled', enrollmentId: ctx.enrollmentId, cleanup };
    case 'timed-out':
      return {
        ...base,
        screen: 'timed-out',
        enrollmentId: ctx.enrollmentId,
        which: ctx.why === 'window-expired' ? 'registration-window' : 'tap-lifetime',
        cleanup,
        next: 'after-timeout',
      };
    case 'failed':
    default:
      return {
        ...base,
        screen: 'failed',
        enrollmentId: ctx.enrollmentId,
        error: ctx.error ?? sessionError('unexpected', 'unknown'),
        cleanup,
        next: 'after-failure',
      };
  }
}

function keyOnly(ctx: MachineView['context']): KeyStatus {
  const k = ctx.keys;
  const present = k.keys[0];
  const presence = k.presence === 'none' && k.reader.status === 'unavailable' ? 'reader-unavailable' : k.presence;
  const identified = present?.identity.status === 'identified' ? present.identity.key : null;
  return {
    presence,
    keyId: present?.id ?? null,
    model: identified?.identity.model ?? present?.product ?? null,
    vendor: identified?.identity.vendor ?? null,
    aaguid: identified?.identity.aaguid ?? null,
    pin: 'unknown',
    verdict: null,
    readiness: null,
    canWink: identified?.ctaphid.capabilities.wink ?? false,
  };
}
