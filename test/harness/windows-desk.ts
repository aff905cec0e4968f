/**
 * The harness on a Windows station without administrator rights (`windowsDialog`): the desk key refuses HID
 * (access denied), the station runs as on win32, and webauthn.dll is the stand-in of test/authenticator/
 * fake-windows.ts over the desk key's software authenticator. Its dialog waits for the test to answer (PIN and
 * touch, or cancel), as Windows' own window waits for the person.
 */
import { FakeWindowsWebAuthn, type DialogAnswer, type DialogKind } from '../authenticator/fake-windows';
import type { Fido2Core } from '../authenticator/fido2-core';

export class WindowsDialogDesk {
  #open: { kind: DialogKind; answer(a: DialogAnswer): void } | null = null;
  private constructor(readonly windows: FakeWindowsWebAuthn) {}

  static async over(core: Fido2Core): Promise<WindowsDialogDesk> {
    let desk: WindowsDialogDesk | null = null;
    const windows = await FakeWindowsWebAuthn.open(core, {
      dialog: (kind, signal) =>
        new Promise<DialogAnswer>((answer) => {
          if (!desk) return;
          const open = { kind, answer };
          desk.#open = open;
          // The station cancelled it (the enrollment was cancelled or locked): Windows closes its window.
          signal?.addEventListener(
            'abort',
            () => {
              if (desk && desk.#open === open) desk.#open = null;
            },
            { once: true },
          );
        }),
    });
    desk = new WindowsDialogDesk(windows);
    return desk;
  }

  /** Which of Windows' dialogs is up now (null: none, or the station cancelled it). */
  showing(): DialogKind | null {
    return this.#open?.kind ?? null;
  }

  /** The person answers the dialog that is up (the PIN and a touch, or Cancel). */
  answer(a: DialogAnswer): void {
    const open = this.#open;
    if (!open) throw new Error("Windows' dialog is not up");
    this.#open = null;
    open.answer(a);
  }

  close(): Promise<void> {
    return this.windows.close();
  }
}
