/**
 * The shell: a pure view of `KioskState` (pushed by main through `window.kiosk.subscribe`) plus typed commands.
 * Its own state is only what a reload may lose: which station page is open, the language, a refusal notice.
 */
import { Button, FluentProvider, MessageBar, MessageBarBody, MessageBarTitle } from '@fluentui/react-components';
import { useCallback, useEffect, useMemo, useState, type CSSProperties } from 'react';
import { I18nextProvider } from 'react-i18next';
import { operatorAtWork, type KioskBridge, type KioskReply, type KioskState } from '../../common/contract';
import { windowLayout } from '../../common/window-layout';
import { useWindowSize } from './components/hooks';
import { CommandsContext, commandsFor, useCommands } from './bridge';
import { Header } from './components/Header';
import { i18n, useT, type Language } from './i18n';
import { isBesideSecurityInfo, screenGroup, type View } from './lib/screens';
import { deskTheme } from './lib/theme';
import { SessionScreen } from './screens/SessionScreen';
import { StationStatusScreen, stationProblems } from './screens/StationStatus';
import { TodayScreen } from './screens/Today';
import { RosterScreen } from './screens/Roster';
import { BoardScreen } from './screens/Board';

export function App({ bridge }: { bridge: KioskBridge }) {
  const [state, setState] = useState<KioskState | null>(null);
  const [language, setLanguage] = useState<Language | null>(null);
  const [refusal, setRefusal] = useState<Extract<KioskReply, { ok: false }> | null>(null);
  const commands = useMemo(() => commandsFor(bridge, setRefusal), [bridge]);
  const dismissRefusal = useCallback(() => setRefusal(null), []);

  useEffect(() => bridge.subscribe(setState), [bridge]);

  const lang: Language = language ?? state?.station.language ?? 'en';
  useEffect(() => {
    if (i18n.language !== lang) void i18n.changeLanguage(lang);
    document.documentElement.lang = lang;
  }, [lang]);
  // Main opens My Security Info in the language shown here (the guide quotes its labels); told quietly, no refusal bar.
  const connected = state !== null;
  useEffect(() => {
    if (connected) void bridge.request({ kind: 'command', command: { type: 'setLanguage', language: lang } }).catch(() => undefined);
  }, [bridge, connected, lang]);

  return (
    <I18nextProvider i18n={i18n}>
      <FluentProvider theme={deskTheme} className="provider">
        <CommandsContext.Provider value={commands}>
          {state === null ? <Starting /> : <Shell state={state} lang={lang} onLanguage={setLanguage} refusal={refusal} onDismissRefusal={dismissRefusal} />}
        </CommandsContext.Provider>
      </FluentProvider>
    </I18nextProvider>
  );
}

function Starting() {
  const { t } = useT();
  return (
    <main className="page">
      <h1 tabIndex={-1}>{t('app.starting.title')}</h1>
      <p>{t('app.starting.body')}</p>
    </main>
  );
}

function Shell(props: {
  state: KioskState;
  lang: Language;
  onLanguage: (l: Language) => void;
  refusal: Extract<KioskReply, { ok: false }> | null;
  onDismissRefusal: () => void;
}) {
  const { state, refusal } = props;
  const { t } = useT();
  const { send } = useCommands();
  const [view, setView] = useState<View>('session');
  const session = state.session;
  const problems = stationProblems(state.station);
  // Without a session (or with no configuration) the station page is all there is to show.
  const forcedStation = session === null || !state.station.config.ok;
  // "Today" closes as soon as no operator is at work (locked, signed out): the journal is theirs only.
  // The roster and the board likewise, and only while event mode is on.
  const eventView = view === 'roster' || view === 'board';
  const closed = (view === 'today' || eventView) && !operatorAtWork(session);
  const allowed: View = closed || (eventView && state.station.event?.on !== true) ? 'session' : view;
  const shown: View = forcedStation && allowed === 'session' ? 'station' : allowed;
  const group = shown === 'session' && session ? screenGroup(session.screen) : shown;
  const beside = shown === 'session' && isBesideSecurityInfo(session?.screen ?? null);
  // Beside My Security Info the panel takes exactly the room main leaves it (the same function places the view).
  const size = useWindowSize();
  const layout = windowLayout(size.width, size.height);
  const besideStyle: CSSProperties | undefined = !beside
    ? undefined
    : layout.arrangement === 'beside'
      ? { gridTemplateColumns: `${layout.panel.width}px 1fr` }
      : { gridTemplateColumns: '1fr', height: layout.panel.height, overflow: 'auto' };

  // Focus management: when the page changes, focus its first [data-autofocus] control or its heading.
  useEffect(() => {
    const main = document.querySelector('main');
    const target = main?.querySelector<HTMLElement>('[data-autofocus]') ?? main?.querySelector<HTMLElement>('h1');
    target?.focus();
  }, [group]);
  // A refused command belongs to the page it was sent from.
  const { onDismissRefusal } = props;
  useEffect(() => onDismissRefusal(), [group, onDismissRefusal]);

  if (shown === 'board') return <BoardScreen onClose={() => setView('roster')} />;
  return (
    <div className={`layout${beside ? ' layout-beside' : ''}`} style={besideStyle}>
      <a className="skip-link" href="#main">
        {t('app.skip')}
      </a>
      <Header station={state.station} session={session} view={shown} onView={setView} lang={props.lang} onLanguage={props.onLanguage} compact={beside} />
      <main id="main" className="page" tabIndex={-1}>
        <div className="banners">
          {session && session.pendingDeletions > 0 && (
            <MessageBar intent="warning" layout="multiline" className="banner">
              <MessageBarBody>
                <MessageBarTitle>{t('banner.pending.title')}</MessageBarTitle>
                {t('banner.pending.body', { count: session.pendingDeletions })}
              </MessageBarBody>
            </MessageBar>
          )}
          {problems.length > 0 && shown !== 'station' && (
            <MessageBar intent="error" layout="multiline" className="banner">
              <MessageBarBody>
                <MessageBarTitle>{t('banner.station.title')}</MessageBarTitle>
                {problems.map((p) => t(`station.${p}.title`)).join(' · ')}{' '}
                <Button appearance="outline" onClick={() => setView('station')}>
                  {t('banner.station.open')}
                </Button>
              </MessageBarBody>
            </MessageBar>
          )}
          {refusal && (
            <MessageBar intent="error" layout="multiline" className="banner">
              <MessageBarBody>
                <MessageBarTitle>{t(`refusal.${refusal.error.code}`)}</MessageBarTitle>
                {refusal.error.message}{' '}
                <Button appearance="outline" onClick={props.onDismissRefusal}>
                  {t('common.dismiss')}
                </Button>
              </MessageBarBody>
            </MessageBar>
          )}
        </div>
        {shown === 'station' && <StationStatusScreen station={state.station} session={session} hasSession={!forcedStation} onBack={() => setView('session')} />}
        {shown === 'today' && <TodayScreen onBack={() => setView('session')} />}
        {shown === 'roster' && (
          <RosterScreen
            onBack={() => setView('session')}
            onServe={(upn) => {
              void send({ type: 'search', query: upn });
              setView('session');
            }}
          />
        )}
        {shown === 'session' && session && <SessionScreen snapshot={session} />}
      </main>
      {beside && layout.arrangement === 'beside' && (
        <aside className="beside-placeholder" aria-label={t('userSide.besideLabel')}>
          <p>{t('userSide.beside')}</p>
        </aside>
      )}
    </div>
  );
}
