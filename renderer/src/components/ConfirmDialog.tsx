import { Button, Dialog, DialogActions, DialogBody, DialogContent, DialogSurface, DialogTitle } from '@fluentui/react-components';
import type { KeyboardEvent, ReactNode } from 'react';

/** Enter never answers "yes" to a removal or a replacement: only a click, a touch or Space on that button does. */
const ignoreEnter = (e: KeyboardEvent<HTMLButtonElement>) => {
  if (e.key === 'Enter') e.preventDefault();
};

/**
 * A yes/no question the station asks before something it cannot undo (removing keys, replacing a pass, stopping
 * the person's enrollment).
 *
 * The safe answer comes first and is the default: Fluent's Dialog focuses the first focusable element of its
 * surface when it opens (react-dialog `useFocusFirstElement`), so that is the "keep" button, and Enter there keeps.
 * The confirming button ignores Enter (native buttons click on Enter's keydown; it is cancelled), so a key press
 * meant for the page behind can never confirm.
 *
 * Kept mounted and driven by `open`: Fluent v9 hands the page back to assistive technology (removes the aria-hidden
 * its modalizer put on #root) only when the Dialog closes; unmounting it while open (or while it animates closed)
 * leaves #root hidden. Escape or a click outside is `onKeep`, like the safe button.
 */
export function ConfirmDialog(props: {
  open: boolean;
  title: ReactNode;
  children: ReactNode;
  confirm: string;
  keep: string;
  onConfirm: () => void;
  onKeep: () => void;
}) {
  const { open, onKeep } = props;
  return (
    <Dialog
      open={open}
      modalType="alert"
      // No closing animation: the answer usually moves the station on at once (confirm → issuing → hand-over), and
      // a Dialog unmounted with its screen while still fading out leaves #root aria-hidden for good.
      surfaceMotion={null}
      onOpenChange={(_, d) => {
        if (!d.open && open) onKeep();
      }}
    >
      <DialogSurface className="confirm-dialog">
        <DialogBody>
          <DialogTitle>{props.title}</DialogTitle>
          <DialogContent>{props.children}</DialogContent>
          <DialogActions position="start" className="confirm-actions">
            <Button appearance="primary" size="large" className="confirm-keep" onClick={onKeep}>
              {props.keep}
            </Button>
            <Button size="large" className="confirm-yes" onClick={props.onConfirm} onKeyDown={ignoreEnter}>
              {props.confirm}
            </Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}
