import { useEffect, useLayoutEffect, useRef } from 'preact/hooks';
import type { Result } from '../../api/client.js';
import { formatNumber, t } from '../../i18n/i18n.js';
import { isDecided } from './use-result-page.js';

/** The results of the page on screen, the selected one kept in view as the keys move it. */
export function QueueList(props: {
  items: Result[];
  selected: number;
  onSelect: (index: number) => void;
}) {
  const list = useRef<HTMLOListElement>(null);
  useEffect(() => {
    list.current
      ?.querySelector('li[aria-current="true"]')
      ?.scrollIntoView({ block: 'nearest', inline: 'nearest' });
  }, [props.selected, props.items]);
  return (
    <ol class="queue" ref={list} aria-label={t('review.filter.queue')}>
      {props.items.map((r, i) => (
        <li key={r.id} aria-current={i === props.selected ? 'true' : undefined}>
          <button type="button" onClick={() => props.onSelect(i)}>
            <span class="code">{r.code}</span>{' '}
            <span class={`badge ${r.match_type}`}>
              {r.match_type ? t(`match.${r.match_type}` as never) : r.status}
            </span>{' '}
            <span class="muted">{r.confidence == null ? '' : formatNumber(r.confidence, 2)}</span>
            {isDecided(r) && <span class="done"> ✓ {r.asin ?? t('review.noMatch')}</span>}
          </button>
        </li>
      ))}
    </ol>
  );
}

/**
 * The end of the queue: said in words, with where to go next, and focused so the keyboard user
 * hears it and can press Enter on the way back.
 */
export function QueueDone(props: { jobId: string; jobName: string; settled: number }) {
  const link = useRef<HTMLAnchorElement>(null);
  // Before the browser paints: the focus never falls back to the page's body in between.
  useLayoutEffect(() => link.current?.focus(), []);
  return (
    <section class="queue-done" aria-labelledby="queue-done-title">
      <h2 id="queue-done-title">{t('review.done')}</h2>
      {props.settled > 0 && <p>{t('review.settledNow', { count: formatNumber(props.settled) })}</p>}
      <p class="actions">
        <a ref={link} class="button primary" href={`/jobs/${props.jobId}`}>
          {t('review.backToJob', { name: props.jobName })}
        </a>
        <a class="button" href={`/jobs/${props.jobId}/review?queue=all`}>
          {t('review.seeAll')}
        </a>
      </p>
    </section>
  );
}
