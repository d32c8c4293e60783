import { useEffect, useRef } from 'preact/hooks';
import { t } from '../i18n/i18n.js';

/** A modal confirmation (native <dialog>): the question states what will change. */
export function ConfirmDialog(props: {
  open: boolean;
  message: string;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (props.open && !dialog.open) dialog.showModal();
    if (!props.open && dialog.open) dialog.close();
  }, [props.open]);
  return (
    <dialog ref={ref} onCancel={props.onCancel} aria-label={props.message}>
      <p>{props.message}</p>
      <div class="actions">
        <button type="button" class="primary" onClick={props.onConfirm}>
          {t('review.confirm')}
        </button>
        <button type="button" onClick={props.onCancel}>
          {t('review.cancel')}
        </button>
      </div>
    </dialog>
  );
}
