import { Button } from '@fluentui/react-components';
import type { KeyStatus } from '../../../common/session';
import { useCommands } from '../bridge';
import { useT } from '../i18n';
import { reasonMsg } from '../lib/messages';
import { StatusIcon, type Status } from './StatusIcon';

const VERDICT_STATUS: Record<NonNullable<KeyStatus['verdict']>, Status> = {
  ready: 'pass',
  'ready-with-note': 'warn',
  'will-be-refused': 'fail',
  unknown: 'unknown',
};
const SEVERITY_STATUS: Record<'ok' | 'note' | 'blocker' | 'unknown', Status> = { ok: 'pass', note: 'warn', blocker: 'fail', unknown: 'unknown' };

/**
 * The key at the desk: model, vendor, PIN state, verdict with reasons; Blink when it can. `refused`: the key itself
 * has since refused what the verdict (read from getInfo and the policy) expected, e.g. its PIN is blocked: the
 * verdict then says so instead of "will be accepted".
 */
export function KeyPanel({ k, reasons = true, large = false, refused = false }: { k: KeyStatus; reasons?: boolean; large?: boolean; refused?: boolean }) {
  const { t, m } = useT();
  const { send } = useCommands();
  return (
    <section className={`card key-panel${large ? ' key-panel-large' : ''}`} aria-labelledby="key-title">
      <h2 id="key-title">{t('key.title')}</h2>
      {k.presence !== 'one' ? (
        <p className="key-presence">{t(`key.presence.${k.presence}`)}</p>
      ) : (
        <>
          <p className="key-model">
            <strong>{k.model ?? t('key.unknownModel')}</strong>
            {k.vendor ? ` · ${k.vendor}` : ''}
          </p>
          <dl className="facts">
            <dt>{t('key.pin')}</dt>
            <dd>{t(`key.pinState.${k.pin}`)}</dd>
            <dt>{t('key.verdict')}</dt>
            <dd>{refused ? <StatusIcon status="fail" /> : k.verdict ? <StatusIcon status={VERDICT_STATUS[k.verdict]} /> : t('key.reading')}</dd>
          </dl>
          {refused ? (
            <p className="key-verdict-text">{t('key.refusedHere')}</p>
          ) : (
            k.verdict && <p className="key-verdict-text">{t(`key.verdictText.${k.verdict}`)}</p>
          )}
          {reasons && k.readiness && k.readiness.reasons.length > 0 && (
            <ul className="checklist compact">
              {k.readiness.reasons.map((r) => (
                <li key={r.code}>
                  <StatusIcon status={SEVERITY_STATUS[r.severity]} />
                  <span>{m(reasonMsg(r))}</span>
                </li>
              ))}
            </ul>
          )}
          {k.canWink && <Button onClick={() => void send({ type: 'winkKey' })}>{t('key.wink')}</Button>}
        </>
      )}
    </section>
  );
}
