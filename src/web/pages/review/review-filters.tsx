import { t } from '../../i18n/i18n.js';

export const MATCH_TYPES = ['exact', 'partial', 'fuzzy', 'manual', 'none'] as const;

/** The filters of the queue, as kept in the URL. */
export interface ReviewFilter {
  review?: boolean;
  match_type?: (typeof MATCH_TYPES)[number];
  min_confidence?: number;
  max_confidence?: number;
  search?: string;
  marketplace?: string;
}

/** The filter from the URL's query: by default the queue opens on what needs a person. */
export function filterFromQuery(query: Record<string, string>): ReviewFilter {
  const num = (v: string | undefined) =>
    v === undefined || v === '' || Number.isNaN(Number(v)) ? undefined : Number(v);
  const f: ReviewFilter = { review: query.queue !== 'all' };
  if (MATCH_TYPES.includes(query.match_type as never))
    f.match_type = query.match_type as ReviewFilter['match_type'];
  const min = num(query.min_confidence);
  const max = num(query.max_confidence);
  if (min !== undefined) f.min_confidence = min;
  if (max !== undefined) f.max_confidence = max;
  if (query.search) f.search = query.search;
  if (query.marketplace) f.marketplace = query.marketplace;
  return f;
}

/** The filter bar; each change becomes a new URL (shareable, back works). */
export function ReviewFilters(props: {
  query: Record<string, string>;
  /** The job's marketplaces: a filter by marketplace when there are several. */
  marketplaces: string[];
  onChange: (changes: Record<string, string>) => void;
}) {
  const { query, onChange, marketplaces } = props;
  return (
    <form
      class="filters"
      role="search"
      aria-label={t('review.filters')}
      onSubmit={(e) => e.preventDefault()}
    >
      <label>
        <input
          type="radio"
          name="queue"
          checked={query.queue !== 'all'}
          onChange={() => onChange({ queue: '' })}
        />{' '}
        {t('review.filter.queue')}
      </label>
      <label>
        <input
          type="radio"
          name="queue"
          checked={query.queue === 'all'}
          onChange={() => onChange({ queue: 'all' })}
        />{' '}
        {t('review.filter.all')}
      </label>
      <label>
        {t('review.filter.matchType')}{' '}
        <select
          value={query.match_type ?? ''}
          onChange={(e) => onChange({ match_type: e.currentTarget.value })}
        >
          <option value="">{t('review.filter.any')}</option>
          {MATCH_TYPES.map((m) => (
            <option key={m} value={m}>
              {t(`match.${m}`)}
            </option>
          ))}
        </select>
      </label>
      {marketplaces.length > 1 && (
        <label>
          {t('review.filter.marketplace')}{' '}
          <select
            value={query.marketplace ?? ''}
            onChange={(e) => onChange({ marketplace: e.currentTarget.value })}
          >
            <option value="">{t('review.filter.any')}</option>
            {marketplaces.map((m) => (
              <option key={m} value={m}>
                {m}
              </option>
            ))}
          </select>
        </label>
      )}
      <label>
        {t('review.filter.minConfidence')}{' '}
        <input
          type="number"
          min={0}
          max={1}
          step={0.05}
          value={query.min_confidence ?? ''}
          onChange={(e) => onChange({ min_confidence: e.currentTarget.value })}
        />
      </label>
      <label>
        {t('review.filter.maxConfidence')}{' '}
        <input
          type="number"
          min={0}
          max={1}
          step={0.05}
          value={query.max_confidence ?? ''}
          onChange={(e) => onChange({ max_confidence: e.currentTarget.value })}
        />
      </label>
      <label>
        {t('review.filter.search')}{' '}
        <input
          type="search"
          value={query.search ?? ''}
          maxLength={40}
          onChange={(e) => onChange({ search: e.currentTarget.value })}
        />
      </label>
    </form>
  );
}
