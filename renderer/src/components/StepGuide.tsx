/** A numbered list of steps, each done (✓), current (aria-current="step") or still to do: the operator's progress. */
export type StepState = 'done' | 'current' | 'todo';

export function StepGuide<S extends string>(props: { steps: readonly S[]; stateOf: (index: number) => StepState; label: (step: S) => string }) {
  return (
    <ol className="guide">
      {props.steps.map((step, i) => {
        const state = props.stateOf(i);
        return (
          <li key={step} className={`guide-step guide-${state}`} aria-current={state === 'current' ? 'step' : undefined}>
            <span className="guide-number" aria-hidden="true">
              {state === 'done' ? '✓' : i + 1}
            </span>
            <span className="guide-name">{props.label(step)}</span>
          </li>
        );
      })}
    </ol>
  );
}
