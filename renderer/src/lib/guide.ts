import type { GuideStep } from '../../../common/session';

/**
 * The steps the person at the desk goes through in My Security Info, in order. "Add sign-in method", "Security
 * key" and "USB device" are one step: they are choices on one page of My Security Info, which main cannot tell
 * apart, and one step is current at a time.
 */
export const GUIDE_STEPS = ['sign-in', 'add-key', 'touch-pin', 'name-key'] as const;
export type GuideItem = (typeof GUIDE_STEPS)[number];

const CURRENT: Readonly<Record<GuideStep, readonly GuideItem[]>> = {
  'take-pass': [],
  'sign-in': ['sign-in'],
  'add-key': ['add-key'],
  'touch-key': ['touch-pin'],
  'name-key': ['name-key'],
  done: [],
};

/** For each step: done, current (the person is somewhere in it) or to come, from main's coarse `guide`. */
export function guideStates(guide: GuideStep): Record<GuideItem, 'done' | 'current' | 'todo'> {
  const current = CURRENT[guide];
  const firstCurrent = current.length > 0 ? GUIDE_STEPS.indexOf(current[0] as GuideItem) : guide === 'done' ? GUIDE_STEPS.length : 0;
  const out = {} as Record<GuideItem, 'done' | 'current' | 'todo'>;
  GUIDE_STEPS.forEach((step, i) => {
    out[step] = current.includes(step) ? 'current' : i < firstCurrent ? 'done' : 'todo';
  });
  return out;
}
