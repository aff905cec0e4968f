import type { GuideStep } from '../../../common/session';

/** The steps the person at the desk goes through in My Security Info, in order. */
export const GUIDE_STEPS = ['sign-in', 'add-method', 'security-key', 'usb', 'touch-pin', 'name-key'] as const;
export type GuideItem = (typeof GUIDE_STEPS)[number];

const CURRENT: Readonly<Record<GuideStep, readonly GuideItem[]>> = {
  'take-pass': [],
  'sign-in': ['sign-in'],
  // Choosing "Add sign-in method", "Security key" and "USB device" happen on one page of My Security Info.
  'add-key': ['add-method', 'security-key', 'usb'],
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
