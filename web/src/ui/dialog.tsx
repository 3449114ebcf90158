/**
 * Dialogs on the native <dialog> element: showModal() gives the focus trap,
 * Escape to close and the inert page behind it, with no script styles (the
 * app's CSP allows no inline styles).
 */
import { useEffect, useRef, useState, type ReactNode } from 'react';

/** `dismissible: false`: a dialog that must be answered (Escape does not close it). */
export function Dialog({ open, title, onClose, children, dismissible = true }: { open: boolean; title: string; onClose: () => void; children: ReactNode; dismissible?: boolean }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);
  return (
    <dialog
      ref={ref}
      aria-labelledby={open ? 'dialog-title' : undefined}
      onCancel={dismissible ? undefined : (event) => event.preventDefault()}
      onClose={() => {
        // The browser may close even a dialog whose cancel was refused: open it again while it must be answered.
        if (!dismissible && open) ref.current?.showModal();
        else onClose();
      }}
      className="dialog"
    >
      {open && (
        <>
          <h2 id="dialog-title">{title}</h2>
          {children}
        </>
      )}
    </dialog>
  );
}

/** A button that asks first: "Revoke" → a dialog that names what happens → confirm or cancel. */
export function ConfirmButton({
  label,
  title,
  children,
  confirmLabel,
  onConfirm,
  danger = true,
  disabled,
  context,
  small = false,
}: {
  label: string;
  title: string;
  children: ReactNode;
  confirmLabel: string;
  onConfirm: () => void;
  danger?: boolean;
  disabled?: boolean;
  /** Said after the visible label to assistive technology ("Revoke" + " key Zapier"), so each row's button has its own name. */
  context?: string;
  /** The compact size, for buttons in a table row. */
  small?: boolean;
}) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button type="button" className={`button${danger ? ' danger' : ''}${small ? ' small' : ''}`} onClick={() => setOpen(true)} disabled={disabled}>
        {label}
        {context && <span className="visually-hidden"> {context}</span>}
      </button>
      <Dialog open={open} title={title} onClose={() => setOpen(false)}>
        <div className="dialog-body">{children}</div>
        <div className="actions">
          <button
            type="button"
            className={danger ? 'button danger' : 'button primary'}
            onClick={() => {
              setOpen(false);
              onConfirm();
            }}
          >
            {confirmLabel}
          </button>
          <button type="button" className="button" onClick={() => setOpen(false)} autoFocus>
            Cancel
          </button>
        </div>
      </Dialog>
    </>
  );
}
