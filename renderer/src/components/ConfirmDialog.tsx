import { Button, Dialog, DialogActions, DialogBody, DialogContent, DialogSurface, DialogTitle } from '@fluentui/react-components';
import type { ReactNode } from 'react';

/**
 * A yes/no question the station asks before something it cannot undo (removing keys, replacing a pass).
 *
 * Kept mounted and driven by `open`: Fluent v9 hands the page back to assistive technology (removes the aria-hidden
 * its modalizer put on #root) only when the Dialog closes; unmounting it while open (or while it animates closed)
 * leaves #root hidden. Escape or a click outside is `onKeep`, like the second button.
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
      <DialogSurface>
        <DialogBody>
          <DialogTitle>{props.title}</DialogTitle>
          <DialogContent>{props.children}</DialogContent>
          <DialogActions>
            <Button appearance="primary" onClick={props.onConfirm}>
              {props.confirm}
            </Button>
            <Button onClick={onKeep}>{props.keep}</Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}
