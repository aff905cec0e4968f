import type { SessionSnapshot } from '../../../common/contract';
import { FindScreen } from './Find';
import { HandoverScreen } from './Handover';
import { LostKeyScreen } from './LostKey';
import { LockedScreen, SignedOutScreen, SigningInScreen, StoppedScreen } from './Operator';
import { OutcomeScreen } from './Outcome';
import { PreflightScreen } from './Preflight';
import { ProvisionScreen } from './Provision';
import { RecycleScreen } from './Recycle';
import { UserSideScreen } from './UserSide';
import { VerifyScreen } from './Verify';

/** One component per `session.screen` (grouped where the operator sees one page). */
export function SessionScreen({ snapshot: s }: { snapshot: SessionSnapshot }) {
  switch (s.screen) {
    case 'signed-out':
      return <SignedOutScreen s={s} />;
    case 'signing-in':
      return <SigningInScreen s={s} />;
    case 'locked':
      return <LockedScreen s={s} />;
    case 'stopped':
      return <StoppedScreen />;
    case 'ready':
    case 'searching':
    case 'search-results':
      return <FindScreen s={s} />;
    case 'loading-user':
    case 'identity':
    case 'checking':
      return <VerifyScreen s={s} />;
    case 'preflight':
    case 'confirm-replace':
    case 'issuing':
      return <PreflightScreen s={s} />;
    case 'handover':
      return <HandoverScreen s={s} />;
    case 'waiting-for-sign-in':
    case 'registering':
      return <UserSideScreen s={s} />;
    case 'lost-key':
      return <LostKeyScreen s={s} />;
    case 'provisioning':
      return <ProvisionScreen s={s} />;
    case 'recycle':
      return <RecycleScreen s={s} />;
    case 'done':
    case 'failed':
    case 'timed-out':
    case 'cancelled':
    case 'cleaning-up':
      return <OutcomeScreen s={s} />;
  }
}
