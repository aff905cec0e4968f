import { Button } from '@fluentui/react-components';
import type { ModeChoice as ModeChoiceSpec } from '../../../common/session';
import { useCommands } from '../bridge';
import { useT } from '../i18n';

/**
 * The operator's choice per enrollment: "Set up the key here" (the station makes the passkey, no pass) or "My
 * Security Info" (a pass, the person registers in the browser); each mode's button names what it does ("Issue pass"
 * as before for My Security Info). The configured default is the primary button; a
 * mode that cannot be chosen says why (turned off, no key, a key without a PIN, refused by the checks).
 */
export function ModeChoice({ modes, busy, issuing }: { modes: ModeChoiceSpec; busy: boolean; issuing: boolean }) {
  const { t } = useT();
  const { send } = useCommands();
  const ordered = [...modes.options].sort((a, b) => Number(b.mode === modes.default) - Number(a.mode === modes.default));
  return (
    <div className="mode-choice" role="group" aria-labelledby="mode-title">
      <p id="mode-title" className="mode-title">
        {t('mode.title')}
      </p>
      {ordered.map((o) => (
        <div key={o.mode} className="mode-option" data-mode={o.mode}>
          <span className="mode-name">{t(`mode.${o.mode}.name`)}</span>
          <Button
            appearance={o.mode === modes.default ? 'primary' : 'secondary'}
            size="large"
            disabled={busy || !o.available}
            onClick={() => void send({ type: 'chooseMode', mode: o.mode })}
          >
            {o.mode === 'provision' ? t('mode.provision.action') : issuing ? t('preflight.issuing') : t('preflight.issue')}
          </Button>
          <span className="hint">{o.reason ? t(`mode.reason.${o.reason}`) : t(`mode.${o.mode}.hint`)}</span>
        </div>
      ))}
    </div>
  );
}
