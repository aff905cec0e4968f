import { Button, Dialog, DialogActions, DialogBody, DialogContent, DialogSurface, DialogTitle } from '@fluentui/react-components';
import { useLayoutEffect, type KeyboardEvent, type ReactNode } from 'react';

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
 * Handing the page back. While open, Fluent's modalizer (tabster) sets aria-hidden on #root. When the dialog closes
 * tabster removes it only 250 ms later (a timer), or at once when the focus lands inside #root; and when the last
 * Fluent component using tabster unmounts (the Dialog, with its screen, e.g. "Keep" that leaves the screen) tabster
 * is disposed and that timer with it: #root stayed aria-hidden for good. Nothing here restores the focus either (no
 * DialogTrigger), so it fell to <body>, where tabster's page-edge guards (focusable, aria-hidden) are tabbable. So as
 * the dialog closes or unmounts open, before tabster goes, the focus moves into the page (#main, always there):
 * the page is handed back at once and the focus is not lost. Escape or a click outside is `onKeep`, like the safe
 * button.
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
  // A layout effect's cleanup runs before the Dialog's own (on unmount, parents first) and, on close, while tabster
  // still lives: the focus move reaches tabster's handler, which drops the aria-hidden synchronously.
  useLayoutEffect(() => {
    if (!open) return;
    return () => document.getElementById('main')?.focus();
  }, [open]);
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
