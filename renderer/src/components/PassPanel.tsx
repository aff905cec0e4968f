import { useEffect, type SyntheticEvent } from 'react';
import { useT } from '../i18n';
import { groupPass, spellPass, type SpokenChar } from '../lib/pass';

const block = (e: SyntheticEvent | Event) => e.preventDefault();

/**
 * The pass, large and grouped, readable but not copyable (the hand-over screen, and the person's panel while My
 * Security Info asks for it):
 * - The large blocks are `aria-hidden` and `user-select: none`; copy, cut, context menu, drag and select-start
 *   are cancelled on the panel, and copy/cut anywhere in the document while it is shown.
 * - Screen readers get one visually hidden reading, character by character ("capital A, lower-case b, 3, hash"),
 *   in blocks: it can be listened to and read aloud, and even if it were copied it is not the pass.
 * - No `title`, no `aria-label`, no state, no storage, no log holds it; it lives only in this render.
 */
export function PassPanel({ pass, size = 'large' }: { pass: string; size?: 'large' | 'medium' }) {
  const { t } = useT();
  useEffect(() => {
    document.addEventListener('copy', block, true);
    document.addEventListener('cut', block, true);
    return () => {
      document.removeEventListener('copy', block, true);
      document.removeEventListener('cut', block, true);
    };
  }, []);
  const spell = (c: SpokenChar): string =>
    c.kind === 'symbol'
      ? c.symbol
        ? t(`symbol.${c.symbol}`)
        : c.char
      : t(`pass.char.${c.kind}`, { char: c.kind === 'lower' ? c.char.toUpperCase() : c.char });
  return (
    <div
      className={`pass-panel no-copy pass-panel-${size}`}
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
        {groupPass(pass).map((b, i) => (
          <span key={i} className="pass-block">
            {b}
          </span>
        ))}
      </div>
      <div className="visually-hidden">
        <p>{t('handover.srIntro')}</p>
        <ol>
          {spellPass(pass).map((chars, i) => (
            <li key={i}>{t('handover.srBlock', { n: i + 1, chars: chars.map(spell).join(', ') })}</li>
          ))}
        </ol>
      </div>
    </div>
  );
}
