import { Button } from '@fluentui/react-components';
import { useState, type KeyboardEvent } from 'react';
import type { PinPad as PinPadSpec } from '../../../common/session';
import { useT } from '../i18n';
import { EMPTY_ENTRY, pinKeyOf, pressPin, type PinEntry, type PinKey } from '../lib/pin-entry';

const DIGITS = ['1', '2', '3', '4', '5', '6', '7', '8', '9'] as const;

/**
 * The person's PIN pad: on-screen digits (touch targets of at least 44 px) and the physical keyboard (digits,
 * Backspace, Enter, Escape) on the same focused group. The entry is masked: one dot per digit, and what is
 * announced is the count, never a digit. A PIN chosen here is typed twice before anything is sent; then it
 * crosses to main once (`onSubmit`) and the pad forgets it. The parent remounts the pad (`key`) after each attempt.
 */
export function PinPad({ pad, onSubmit }: { pad: PinPadSpec; onSubmit: (pin: string, confirm?: string) => void }) {
  const { t } = useT();
  const [state, setState] = useState<PinEntry>(EMPTY_ENTRY);
  const press = (key: PinKey) => {
    const { next, submit } = pressPin(state, key, pad);
    setState(next);
    if (submit) onSubmit(submit.pin, submit.confirm);
  };
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const key = pinKeyOf(e.key);
    if (key === null) return;
    e.preventDefault();
    press(key);
  };
  const { entry, first, tooShort } = state;

  const title = !pad.isNew ? t('provision.pad.enter') : first === null ? t('provision.pad.choose') : t('provision.pad.again');
  return (
    <div className="pin-pad" role="group" aria-labelledby="pin-pad-title" tabIndex={0} data-autofocus onKeyDown={onKeyDown}>
      <p id="pin-pad-title" className="pin-pad-title">
        {title}
      </p>
      <p className="hint">
        {pad.isNew ? t('provision.pad.rules', { min: pad.minLength }) : t('provision.pad.min', { min: pad.minLength })}
        {pad.retries !== null && <> {t('provision.pad.retries', { count: pad.retries })}</>}
      </p>
      <div className="pin-dots" aria-hidden="true" data-testid="pin-dots">
        {entry.length === 0 ? <span className="pin-dots-empty">–</span> : '●'.repeat(entry.length)}
      </div>
      <p className="visually-hidden" aria-live="polite">
        {t('provision.pad.count', { count: entry.length })}
      </p>
      {tooShort && (
        <p className="pin-pad-problem" role="alert">
          {t('provision.pad.tooShort', { min: pad.minLength })}
        </p>
      )}
      <div className="pin-keys">
        {DIGITS.map((d) => (
          <Button key={d} className="pin-key" size="large" tabIndex={-1} onClick={() => press(d)}>
            {d}
          </Button>
        ))}
        <Button className="pin-key" size="large" tabIndex={-1} onClick={() => press('erase')} aria-label={t('provision.pad.erase')}>
          ⌫
        </Button>
        <Button className="pin-key" size="large" tabIndex={-1} onClick={() => press('0')}>
          0
        </Button>
        <Button className="pin-key" size="large" tabIndex={-1} onClick={() => press('clear')} aria-label={t('provision.pad.clear')}>
          C
        </Button>
      </div>
      <Button appearance="primary" size="large" className="pin-ok" onClick={() => press('enter')}>
        {pad.isNew && first === null ? t('provision.pad.next') : t('provision.pad.ok')}
      </Button>
    </div>
  );
}
