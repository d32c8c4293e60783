import { useEffect, useState } from 'preact/hooks';
import { formatNumber, t } from '../../i18n/i18n.js';

/**
 * What is left and what just happened (read out by screen readers), and the bulk actions over
 * the whole filter, each stating how many results it would change.
 */
export function ReviewStatus(props: {
  total: number;
  /** In the queue ("needs a person"): the results still open in it; null elsewhere. */
  left: number | null;
  settledHere: number;
  notice: string;
  canWrite: boolean;
  remember: boolean;
  onRemember: (on: boolean) => void;
  onBulk: (action: 'accept' | 'no_match') => void;
}) {
  const { total, left, settledHere, notice } = props;
  return (
    <>
      <p role="status">
        {t('review.count', { count: formatNumber(total) })}
        {left !== null && <> · {t('review.left', { count: formatNumber(left) })}</>}
        {settledHere > 0 && <> · {t('review.settledNow', { count: formatNumber(settledHere) })}</>}
        {notice && <span class="notice"> · {notice}</span>}
      </p>
      {props.canWrite && total > 0 && (
        <p class="actions">
          <button type="button" onClick={() => props.onBulk('accept')}>
            {t('review.bulkAccept', { count: formatNumber(total) })}
          </button>
          <button type="button" onClick={() => props.onBulk('no_match')}>
            {t('review.bulkNoMatch', { count: formatNumber(total) })}
          </button>
          <label>
            <input
              type="checkbox"
              checked={props.remember}
              onChange={(e) => props.onRemember(e.currentTarget.checked)}
            />{' '}
            {t('review.remember')}
          </label>
        </p>
      )}
    </>
  );
}

/**
 * Results this person settled since the page was last read (the total on screen is the filter's
 * at that read, so what is left is the difference) and since the queue was opened. An undo
 * counts back; a bulk step counts its results.
 */
export function useSettledCounts(readId: number) {
  const [sinceRead, setSinceRead] = useState(0);
  const [here, setHere] = useState(0);
  useEffect(() => setSinceRead(0), [readId]);
  return {
    sinceRead,
    here,
    add: (n: number) => {
      setSinceRead((s) => s + n);
      setHere((s) => s + n);
    },
  };
}
