import { Button, MessageBar, MessageBarBody, Spinner } from '@fluentui/react-components';
import type { SessionSnapshot } from '../../../common/contract';
import type { ProvisionErrorCode } from '../../../common/provision-codes';
import type { ProvisionPhase } from '../../../common/session';
import { useCommands } from '../bridge';
import { IdentityCard } from '../components/IdentityCard';
import { KeyPanel } from '../components/KeyPanel';
import { PinPad } from '../components/PinPad';
import { StepGuide } from '../components/StepGuide';
import { useT } from '../i18n';
import { provisionMsg } from '../lib/messages';

type ProvisionSnapshot = Extract<SessionSnapshot, { screen: 'provisioning' }>;

/** Refusals that are the key's state (not a try that can simply be repeated): the key panel's verdict says so. */
const KEY_REFUSALS: ReadonlySet<ProvisionErrorCode> = new Set([
  'key.pin-blocked',
  'key.pin-auth-blocked',
  'key.full',
  'key.unsupported',
  'policy.aaguid-blocked',
]);

/** The operator's progress list: one step per phase the person goes through. */
const STEPS = ['reading-key', 'pin', 'touch-key', 'registering', 'proving'] as const;
/** Where Windows' dialog asks for the PIN and the touch (webauthn.dll): no pad, one step for the dialog. */
const WINDOWS_STEPS = ['reading-key', 'windows', 'registering', 'proving'] as const;
type Step = (typeof STEPS)[number] | (typeof WINDOWS_STEPS)[number];
const STEP_OF: Record<ProvisionPhase, Step | null> = {
  'reading-key': 'reading-key',
  'set-pin': 'pin',
  'enter-pin': 'pin',
  'checking-pin': 'pin',
  'touch-key': 'touch-key',
  'windows-dialog': 'windows',
  'windows-proof': 'proving',
  registering: 'registering',
  proving: 'proving',
  'show-pin': 'proving',
  failed: null,
};

/**
 * "Set up the key here": the person's side (the PIN pad, then "touch your key" live while the key waits) and the
 * operator's side (progress, the key, what to do after a failure). No pass, no browser: main makes the passkey.
 */
export function ProvisionScreen({ s }: { s: ProvisionSnapshot }) {
  const { t, m } = useT();
  const { send } = useCommands();
  const windows = s.pinBy === 'windows';
  const steps: readonly Step[] = windows ? WINDOWS_STEPS : STEPS;
  const current = STEP_OF[s.phase];
  const at = current ? steps.indexOf(current) : -1;
  return (
    <section className="screen" aria-labelledby="provision-title">
      <h1 id="provision-title" tabIndex={-1}>
        {t('provision.title')}
      </h1>
      <div className="two-col">
        <section className="card person-side" aria-labelledby="person-title" data-phase={s.phase}>
          <h2 id="person-title">{t('provision.person', { name: s.user.displayName })}</h2>
          {s.error && (
            <MessageBar intent={s.phase === 'failed' ? 'error' : 'warning'} layout="multiline" data-error={s.error.code}>
              <MessageBarBody>{m(provisionMsg(s.error))}</MessageBarBody>
            </MessageBar>
          )}
          {windows && s.error?.code === 'policy.aaguid-blocked' && (
            // Found in the attestation after Windows had the key make the passkey: it stays there, unregistered.
            <MessageBar intent="warning" layout="multiline" data-note="left-on-key">
              <MessageBarBody>{t('provision.windows.leftOnKey')}</MessageBarBody>
            </MessageBar>
          )}
          {(s.phase === 'windows-dialog' || s.phase === 'windows-proof') && (
            <div className="touch-key windows-dialog" role="status">
              <p className="touch-key-title">{t(s.phase === 'windows-dialog' ? 'provision.windows.dialogTitle' : 'provision.windows.proofTitle')}</p>
              <p>{t(s.phase === 'windows-dialog' ? 'provision.windows.dialogBody' : 'provision.windows.proofBody')}</p>
            </div>
          )}
          {s.pinPad && (
            <PinPad
              key={`${s.phase}-${s.error?.code ?? ''}-${s.pinPad.retries ?? ''}`}
              pad={s.pinPad}
              onSubmit={(pin, confirm) => void send({ type: 'submitPin', pin, ...(confirm === undefined ? {} : { confirm }) })}
            />
          )}
          {s.phase === 'show-pin' && s.operatorPin && (
            // Shown once: the next snapshot after "noted" no longer holds it. Not selectable, so not copied.
            <div className="operator-pin" role="status">
              <p className="operator-pin-title">{t('provision.randomPin.shownTitle')}</p>
              <p className="operator-pin-value" aria-label={s.operatorPin.pin.split('').join(' ')}>
                {s.operatorPin.pin}
              </p>
              <p>{t(s.operatorPin.changeForced ? 'provision.randomPin.forced' : 'provision.randomPin.notForced')}</p>
              <Button appearance="primary" size="large" onClick={() => void send({ type: 'pinNoted' })}>
                {t('provision.randomPin.noted')}
              </Button>
            </div>
          )}
          {s.phase === 'touch-key' && (
            <div className="touch-key" role="status">
              <p className="touch-key-title">{t('provision.touch.title')}</p>
              <p>{t('provision.touch.body')}</p>
            </div>
          )}
          {(s.phase === 'reading-key' || s.phase === 'checking-pin' || s.phase === 'registering' || s.phase === 'proving') && (
            <Spinner size="large" label={t(`provision.phase.${s.phase}`)} />
          )}
        </section>
        <section className="card" aria-labelledby="desk-title">
          <h2 id="desk-title">{t('provision.operator')}</h2>
          <IdentityCard user={s.user} compact />
          <StepGuide
            steps={steps}
            stateOf={(i) => (s.phase === 'failed' ? 'todo' : s.phase === 'show-pin' || i < at ? 'done' : i === at ? 'current' : 'todo')}
            label={(step) => t(`provision.step.${step}`)}
          />
          <KeyPanel k={s.key} reasons={false} refused={s.phase === 'failed' && s.error !== null && KEY_REFUSALS.has(s.error.code)} />
          {windows && <p className="windows-note">{t('provision.windows.operatorNote')}</p>}
          <div className="actions">
            {s.pinPad?.isNew && (
              <Button size="large" onClick={() => void send({ type: 'randomPin' })}>
                {t('provision.randomPin.choose')}
              </Button>
            )}
            {s.phase === 'failed' && (
              <Button appearance="primary" size="large" onClick={() => void send({ type: 'recheck' })}>
                {t('provision.recheck')}
              </Button>
            )}
            <Button size="large" onClick={() => void send({ type: 'cancel' })}>
              {t('common.cancel')}
            </Button>
          </div>
        </section>
      </div>
    </section>
  );
}
