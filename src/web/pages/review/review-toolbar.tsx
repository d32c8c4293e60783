import type { Ref } from 'preact';
import { t } from '../../i18n/i18n.js';

/**
 * The actions on the result shown, each button printed with its key. While a decision is on its
 * way the decision buttons are disabled (and their keys wait), so one key never decides twice.
 */
export function ReviewToolbar(props: {
  code: string;
  canWrite: boolean;
  busy: boolean;
  asinInput: Ref<HTMLInputElement>;
  onMove: (by: number) => void;
  onAccept: () => void;
  onNoMatch: () => void;
  onUndo: () => void;
  onAsin: (e: Event) => void;
  onLeaveAsin: () => void;
  onHelp: () => void;
}) {
  const { canWrite, busy } = props;
  return (
    <div class="actions keys">
      <button type="button" onClick={() => props.onMove(-1)} aria-keyshortcuts="K">
        <kbd>K</kbd> {t('review.previous')}
      </button>
      <button type="button" onClick={() => props.onMove(1)} aria-keyshortcuts="J">
        <kbd>J</kbd> {t('review.next')}
      </button>
      {canWrite && (
        <>
          <button
            type="button"
            class="primary"
            disabled={busy}
            onClick={props.onAccept}
            aria-keyshortcuts="A"
          >
            <kbd>A</kbd> {t('review.accept')}
          </button>
          <button type="button" disabled={busy} onClick={props.onNoMatch} aria-keyshortcuts="N">
            <kbd>N</kbd> {t('review.noMatch')}
          </button>
          <button type="button" disabled={busy} onClick={props.onUndo} aria-keyshortcuts="U">
            <kbd>U</kbd> {t('review.undo')}
          </button>
          <form class="inline" onSubmit={props.onAsin}>
            <label for="asin-input">
              <kbd>E</kbd> {t('review.asinLabel', { code: props.code })}
            </label>
            <input
              id="asin-input"
              ref={props.asinInput}
              maxLength={10}
              pattern="[A-Za-z0-9]{10}"
              autocomplete="off"
              spellcheck={false}
              aria-keyshortcuts="E"
              aria-describedby="asin-hint"
              onKeyDown={(e) => {
                if (e.key === 'Escape') props.onLeaveAsin();
              }}
            />
            <span id="asin-hint" class="muted">
              {t('review.asinHint')}
            </span>
            <button type="submit" disabled={busy}>
              {t('review.asinSubmit')}
            </button>
          </form>
        </>
      )}
      <button type="button" onClick={props.onHelp} aria-keyshortcuts="?">
        <kbd>?</kbd> {t('review.keysTitle')}
      </button>
    </div>
  );
}
