import { useEffect, useRef } from 'preact/hooks';
import { t } from '../../i18n/i18n.js';

/** Every key of the queue, in the order a person meets them. */
const KEYS = [
  ['A', 'review.key.accept', 'review.key.accept.long'],
  ['1–9', 'review.key.choose', 'review.key.choose.long'],
  ['N', 'review.key.noMatch', 'review.key.noMatch.long'],
  ['E', 'review.key.asin', 'review.key.asin.long'],
  ['O', 'review.key.similar', 'review.key.similar.long'],
  ['U', 'review.key.undo', 'review.key.undo.long'],
  ['J / ↓', 'review.key.next', 'review.key.next.long'],
  ['K / ↑', 'review.key.previous', 'review.key.previous.long'],
  ['?', 'review.key.help', 'review.key.help.long'],
] as const;
const READ_ONLY_KEYS = new Set<string>(['J / ↓', 'K / ↑', '?']);

/** The short legend always on screen, above the result (the buttons carry their keys too). */
export function KeyLegend({ canWrite }: { canWrite: boolean }) {
  const shown = canWrite ? KEYS : KEYS.filter(([k]) => READ_ONLY_KEYS.has(k));
  return (
    <p class="key-legend muted" role="note" aria-label={t('review.keysTitle')}>
      {shown.map(([key, label]) => (
        <span key={key}>
          <kbd>{key}</kbd> {t(label)}
        </span>
      ))}
    </p>
  );
}

/** `?`: every key with what it does, in a dialog that Esc closes. */
export function KeyHelp(props: { open: boolean; canWrite: boolean; onClose: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (props.open && !dialog.open) dialog.showModal();
    if (!props.open && dialog.open) dialog.close();
  }, [props.open]);
  return (
    <dialog ref={ref} onClose={props.onClose} aria-labelledby="key-help-title">
      <h2 id="key-help-title">{t('review.keysTitle')}</h2>
      <dl class="key-help">
        {(props.canWrite ? KEYS : KEYS.filter(([k]) => READ_ONLY_KEYS.has(k))).map(
          ([key, , long]) => (
            <div key={key}>
              <dt>
                <kbd>{key}</kbd>
              </dt>
              <dd>{t(long)}</dd>
            </div>
          ),
        )}
      </dl>
      <p class="muted">{t('review.keysNote')}</p>
      <div class="actions">
        <button type="button" class="primary" onClick={props.onClose}>
          {t('review.keysClose')}
        </button>
      </div>
    </dialog>
  );
}
