import { Button } from '@fluentui/react-components';
import { useEffect, type SyntheticEvent } from 'react';
import type { SessionSnapshot } from '../../../common/contract';
import { useCommands } from '../bridge';
import { Countdown } from '../components/Countdown';
import { useT } from '../i18n';
import { noticeMsg } from '../lib/messages';
import { groupPass, spellPass, type SpokenChar } from '../lib/pass';
import { findCountdown } from '../lib/time';

type HandoverSnapshot = Extract<SessionSnapshot, { screen: 'handover' }>;

const block = (e: SyntheticEvent | Event) => e.preventDefault();

/**
 * The pass, shown once. How it stays readable but not copyable:
 * - The large blocks are `aria-hidden` and `user-select: none`; copy, cut, context menu, drag and select-start
 *   are cancelled on the panel, and copy/cut anywhere in the document while this screen is up.
 * - Screen readers get one visually hidden reading, character by character ("capital A, lower-case b, 3, hash"),
 *   in blocks: it can be listened to and read aloud, and even if it were copied it is not the pass.
 * - No `title`, no `aria-label`, no state, no storage, no log holds it; it lives only in this render.
 */
export function HandoverScreen({ s }: { s: HandoverSnapshot }) {
  const { t, m } = useT();
  const { send } = useCommands();
  useEffect(() => {
    document.addEventListener('copy', block, true);
    document.addEventListener('cut', block, true);
    return () => {
      document.removeEventListener('copy', block, true);
      document.removeEventListener('cut', block, true);
    };
  }, []);
  const lifetime = findCountdown(s.countdowns, 'tap-lifetime');
  const shown = findCountdown(s.countdowns, 'handover');
  const spell = (c: SpokenChar): string =>
    c.kind === 'symbol'
      ? c.symbol
        ? t(`symbol.${c.symbol}`)
        : c.char
      : t(`pass.char.${c.kind}`, { char: c.kind === 'lower' ? c.char.toUpperCase() : c.char });
  return (
    <section className="screen" aria-labelledby="handover-title">
      <h1 id="handover-title" tabIndex={-1}>
        {t('handover.title', { name: s.user.displayName })}
      </h1>
      <p className="lead">{t('handover.lead')}</p>
      <div
        className="pass-panel no-copy"
        onCopy={block}
        onCut={block}
        onContextMenu={block}
        onDragStart={block}
        onMouseDown={(e) => {
          if (e.detail > 1) e.preventDefault();
        }}
        draggable={false}
      >
        <div className="pass" aria-hidden="true">
          {groupPass(s.pass).map((b, i) => (
            <span key={i} className="pass-block">
              {b}
            </span>
          ))}
        </div>
        <div className="visually-hidden">
          <p>{t('handover.srIntro')}</p>
          <ol>
            {spellPass(s.pass).map((chars, i) => (
              <li key={i}>{t('handover.srBlock', { n: i + 1, chars: chars.map(spell).join(', ') })}</li>
            ))}
          </ol>
        </div>
      </div>
      <p className="pass-facts">
        {s.oneTime ? t('handover.oneTime') : t('handover.multiUse')} · {t('handover.lifetime', { count: s.lifetimeMinutes })}
      </p>
      {s.notices.map((n) => (
        <p key={n.code} className="notice" role="status" data-notice={n.code}>
          {m(noticeMsg(n))}
        </p>
      ))}
      <div className="countdowns">
        {lifetime && <Countdown endsAt={lifetime.endsAt} label={t('countdown.label.tap-lifetime')} />}
        {shown && <Countdown endsAt={shown.endsAt} label={t('countdown.label.handover')} />}
      </div>
      <div className="actions">
        <Button appearance="primary" size="large" onClick={() => void send({ type: 'handedOver' })}>
          {t('handover.done')}
        </Button>
        <Button size="large" onClick={() => void send({ type: 'cancel' })}>
          {t('handover.cancel')}
        </Button>
      </div>
    </section>
  );
}
