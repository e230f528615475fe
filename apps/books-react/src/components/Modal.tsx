import { useEffect, useRef, type ReactNode, type RefObject } from 'react';

interface ModalProps {
  labelledBy: string;
  describedBy: string;
  /** `alertdialog` for confirmations that interrupt, `dialog` for forms. */
  role?: 'dialog' | 'alertdialog';
  /** Escape, or the dialog's own cancel button. */
  onCancel: () => void;
  /** What gets focus when the dialog opens. */
  initialFocus: RefObject<HTMLElement | null>;
  children: ReactNode;
}

/**
 * A native modal <dialog>: the browser makes the rest of the page inert, keeps Tab inside and turns Escape into a
 * `cancel` event. Mounted only while open; focus goes back to whatever opened it when it closes.
 */
export function Modal({ labelledBy, describedBy, role = 'dialog', onCancel, initialFocus, children }: ModalProps) {
  const dialogRef = useRef<HTMLDialogElement>(null);

  useEffect(() => {
    const dialog = dialogRef.current;
    if (!dialog) return undefined;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    dialog.showModal();
    initialFocus.current?.focus();
    return () => {
      if (dialog.open) dialog.close();
      if (opener?.isConnected) opener.focus();
    };
  }, [initialFocus]);

  return (
    <dialog
      ref={dialogRef}
      className="modal"
      role={role === 'alertdialog' ? 'alertdialog' : undefined}
      aria-modal="true"
      aria-labelledby={labelledBy}
      aria-describedby={describedBy}
      onCancel={(event) => {
        event.preventDefault();
        onCancel();
      }}
    >
      {children}
    </dialog>
  );
}
