import { Button } from '@fluentui/react-components';
import { operatorAtWork, type SessionSnapshot, type StationStatus } from '../../../common/contract';
import type { View } from '../lib/screens';
import { useCommands } from '../bridge';
import { useT, type Language } from '../i18n';
import { capabilityMsg } from '../lib/messages';

/** Screens on which the operator is at work (Lock and Sign out make sense). */
const SIGNED_IN = new Set<SessionSnapshot['screen']>(['signed-out', 'signing-in', 'locked', 'stopped']);

export function Header(props: {
  station: StationStatus;
  session: SessionSnapshot | null;
  view: View;
  onView: (v: View) => void;
  lang: Language;
  onLanguage: (l: Language) => void;
  compact: boolean;
}) {
  const { t, m } = useT();
  const { send } = useCommands();
  const { station, session } = props;
  const operator = session?.operator ?? null;
  const working = session !== null && !SIGNED_IN.has(session.screen) && operator !== null;
  const other: Language = props.lang === 'en' ? 'de' : 'en';
  return (
    <header className="header">
      <div className="header-brand">
        <span className="header-title">{t('app.title')}</span>
        <span className="header-station">{t('header.station', { id: station.stationId })}</span>
        {station.demo && <span className="tag tag-neutral">{t('header.demo')}</span>}
      </div>
      {/* Beside My Security Info the panel is the person's: the operator's name and role stay off it. */}
      {operator && !props.compact && (
        <div className="header-operator">
          <span className="header-operator-name">{t('header.signedInAs', { name: operator.displayName })}</span>
          <span className="header-operator-capability">{m(capabilityMsg(operator.capability))}</span>
        </div>
      )}
      <nav className="header-nav" aria-label={t('header.nav')}>
        {props.view !== 'session' && session && (
          <Button appearance="subtle" onClick={() => props.onView('session')}>
            {t('header.back')}
          </Button>
        )}
        {!props.compact && (
          <>
            <Button
              appearance={props.view === 'station' ? 'primary' : 'subtle'}
              aria-pressed={props.view === 'station'}
              onClick={() => props.onView(props.view === 'station' ? 'session' : 'station')}
            >
              {t('header.status')}
            </Button>
            {/* The journal names people and operators: only for an operator at work (main refuses it otherwise too). */}
            {operatorAtWork(session) && (
              <Button
                appearance={props.view === 'today' ? 'primary' : 'subtle'}
                aria-pressed={props.view === 'today'}
                onClick={() => props.onView(props.view === 'today' ? 'session' : 'today')}
              >
                {t('header.today')}
              </Button>
            )}
            {operatorAtWork(session) &&
              station.event?.on === true &&
              (['roster', 'board'] as const).map((v) => (
                <Button key={v} appearance={props.view === v ? 'primary' : 'subtle'} aria-pressed={props.view === v} onClick={() => props.onView(v)}>
                  {t(`${v}.open`)}
                </Button>
              ))}
          </>
        )}
        <Button appearance="subtle" lang={other} onClick={() => props.onLanguage(other)}>
          {other === 'de' ? 'Deutsch' : 'English'}
        </Button>
        {working && !props.compact && (
          <>
            <Button appearance="subtle" onClick={() => void send({ type: 'lock' })}>
              {t('header.lock')}
            </Button>
            <Button appearance="subtle" onClick={() => void send({ type: 'signOut' })}>
              {t('header.signOut')}
            </Button>
          </>
        )}
      </nav>
    </header>
  );
}
