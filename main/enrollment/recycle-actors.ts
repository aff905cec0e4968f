/** What the recycling branch (recycle-state.ts) invokes: the port's reset, its stages sent back to the chart. */
import { fromPromise } from 'xstate';
import type { RecycleOutcome } from '../../common/provision-codes';
import type { OperatorIdentity } from '../../common/operator';
import type { RecyclePort } from './recycle';

export function recycleActors(port: RecyclePort | undefined) {
  return {
    recycleDeskKey: fromPromise<RecycleOutcome, { operator: OperatorIdentity | null }>(({ input, signal, self }) => {
      const operator = input.operator;
      if (!port || !operator) throw new Error('this station cannot recycle keys');
      return port.recycle(
        {
          operator: { id: operator.id, upn: operator.userPrincipalName },
          onStage: (stage) => self._parent?.send({ type: 'RECYCLE_STAGE', stage }),
        },
        signal,
      );
    }),
  };
}
