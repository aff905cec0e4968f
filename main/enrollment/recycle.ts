/**
 * Recycling a returned key, as the station chart's branch (recycle-state.ts) sees it: the port that does the work
 * (main/station/recycle-port.ts wires main/provision/recycle.ts and the key watcher to it, so the chart runs
 * against fakes as well) and what the context remembers (the actor: recycle-actors.ts). Pure, no XState. No person is involved:
 * the operator starts it from the ready screen, confirms (it erases every passkey and the PIN on the key),
 * unplugs the key, plugs it back in and touches it.
 */
import type { RecycleOutcome } from '../../common/provision-codes';

/** provision/recycle.ts's stages (restated: enrollment/ does not import provision/). */
export type DeskRecycleStage = 'unplug' | 'plug-in' | 'touch';

export interface RecyclePort {
  /** Never throws for a key's refusal (those are outcome codes); only the caller's abort throws. */
  recycle(request: { operator: { id: string; upn: string }; onStage(stage: DeskRecycleStage): void }, signal?: AbortSignal): Promise<RecycleOutcome>;
}

export interface RecycleContext {
  stage: DeskRecycleStage | null;
  outcome: RecycleOutcome | null;
}

export const EMPTY_RECYCLE: RecycleContext = { stage: null, outcome: null };

/** The branch's stages (recycle-state.ts tags each `recycle:<stage>`). */
export const RECYCLE_STAGES = ['confirming', 'working', 'outcome'] as const;
export type RecycleChartStage = (typeof RECYCLE_STAGES)[number];
