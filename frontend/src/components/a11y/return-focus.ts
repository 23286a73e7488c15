import { useEffect, useRef, useState } from "react";

/** The openers of the dialogs that are open now, the last opened last. */
const openers: (HTMLElement | null)[] = [];

/** Something on the page has the focus (not the body, not nothing). */
function focusedElement(): HTMLElement | null {
  const active = document.activeElement;
  return active instanceof HTMLElement && active !== document.body ? active : null;
}

/**
 * The focus is lost: on nothing, or still inside what `closing` matches (a popup going
 * away). Then it should go back to what opened the popup; anywhere else, the user moved it.
 */
export function focusLost(closing: string): boolean {
  const now = focusedElement();
  return now === null || !now.isConnected || now.closest(closing) !== null;
}

/**
 * Give the focus back to what opened a dialog when the dialog goes away.
 *
 * antd's Modal and Drawer give it back themselves only when they close with their animation;
 * the portal's dialogs are rendered while open and removed on close (`{open && <Modal open/>}`),
 * and then the focus fell to the page's body: a keyboard user started again from the top.
 * Call this in such a dialog's component. The opener is what had the focus when the dialog
 * was first rendered; a dialog opened from another one that closes at the same time (a form,
 * then the token it created) gives it back to the first dialog's opener.
 */
export function useReturnFocus(): void {
  const [origin] = useState(() => ({
    opener: focusedElement(),
    previous: openers[openers.length - 1] ?? null,
  }));
  const mounted = useRef(false);

  useEffect(() => {
    mounted.current = true;
    openers.push(origin.opener);
    return () => {
      mounted.current = false;
      openers.splice(openers.lastIndexOf(origin.opener), 1);
      // after the dialog has left the DOM, and after antd's own attempt
      setTimeout(() => {
        if (mounted.current) return; // mounted again (React's StrictMode): still open
        const now = focusedElement();
        // another dialog took the focus, or antd gave it back already
        if (now && (now === origin.opener || now.closest(".ant-modal-wrap, .ant-drawer"))) return;
        const target = [origin.opener, origin.previous].find((el) => el?.isConnected);
        target?.focus();
      }, 0);
    };
  }, [origin]);
}
