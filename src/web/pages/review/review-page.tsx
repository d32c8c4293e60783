import { useEffect, useRef, useState } from 'preact/hooks';
import { useLocation, useRoute } from 'preact-iso';
import {
  api,
  errorOf,
  unwrap,
  type ApiError,
  type JobDetail,
  type Result,
  type ResultPage,
} from '../../api/client.js';
import { ConfirmDialog } from '../../components/confirm-dialog.js';
import { ErrorBanner } from '../../components/error-banner.js';
import { formatNumber, t } from '../../i18n/i18n.js';
import { can } from '../../session.js';
import { DecisionHistory } from './decision-history.js';
import { filterFromQuery, ReviewFilters } from './review-filters.js';
import { candidatesOf, CHOOSABLE, ReviewPanel } from './review-panel.js';
import { offerScopes, SimilarOffer, type Offer, type Similar } from './similar-offer.js';
import { useReviewKeys } from './use-review-keys.js';

const PER_PAGE = 25;
type Decision = { action: 'accept' | 'choose' | 'asin' | 'no_match'; asin?: string };

/**
 * The review queue: opens on what needs a person, filters in the URL, pages by key; one result
 * at a time beside its proposal and candidates; every action on a button with its key.
 */
export function ReviewPage() {
  const { params } = useRoute();
  const { query, path, route } = useLocation();
  const id = params.id ?? '';
  const filter = filterFromQuery(query);
  const filterKey = JSON.stringify(filter);
  const [job, setJob] = useState<JobDetail | null>(null);
  const [cursors, setCursors] = useState<number[]>([]);
  const [page, setPage] = useState<ResultPage | null>(null);
  const [selected, setSelected] = useState(0);
  const [error, setError] = useState<ApiError | null>(null);
  const [notice, setNotice] = useState('');
  const [remember, setRemember] = useState(false);
  const [bulk, setBulk] = useState<'accept' | 'no_match' | null>(null);
  const [historyVersion, setHistoryVersion] = useState(0);
  const [offer, setOffer] = useState<Offer | null>(null);
  const asinInput = useRef<HTMLInputElement>(null);
  // Focus goes back here after every decision: the buttons of the result just decided are gone.
  const main = useRef<HTMLDivElement>(null);
  const focusMain = () => requestAnimationFrame(() => main.current?.focus());
  const canWrite = can('write');
  const cursor = cursors.at(-1);

  const load = async () => {
    try {
      const q = {
        ...filter,
        per_page: PER_PAGE,
        ...(cursor === undefined ? {} : { after: cursor }),
      };
      setPage(
        unwrap(
          await api.GET('/api/v1/code2asin/jobs/{id}/results', {
            params: { path: { id }, query: q },
          }),
        ),
      );
      setError(null);
    } catch (e) {
      setError(errorOf(e));
    }
  };
  useEffect(() => {
    void api
      .GET('/api/v1/code2asin/jobs/{id}', { params: { path: { id } } })
      .then((r) => r.data && setJob(r.data));
  }, [id]);
  useEffect(() => void load(), [id, filterKey, cursor]);
  useEffect(() => {
    setCursors([]);
    setSelected(0);
  }, [filterKey]);

  const items = page?.items ?? [];
  const current: Result | undefined = items[Math.min(selected, items.length - 1)];
  const move = (by: number) => setSelected((s) => Math.max(0, Math.min(items.length - 1, s + by)));
  const nextPage = () => {
    if (page?.next_after == null) return;
    setCursors([...cursors, page.next_after]);
    setSelected(0);
  };
  /** After a decision: the next result nobody decided, on this page or the next one. */
  const advance = (decidedItems: Result[], from: number) => {
    const open = (r: Result) => r.match_type !== 'manual';
    const after = decidedItems.findIndex((r, i) => i > from && open(r));
    const before = decidedItems.findIndex(open);
    if (after >= 0) setSelected(after);
    else if (page?.next_after != null) nextPage();
    else if (before >= 0) setSelected(before);
    focusMain();
  };

  const decide = async (d: Decision) => {
    if (!current || !canWrite) return;
    const { data, error: failed } = await api.POST('/api/v1/code2asin/jobs/{id}/decisions', {
      params: { path: { id } },
      body: { result_id: current.id!, action: d.action, asin: d.asin ?? null, remember },
    });
    if (!data) return setError(errorOf(failed));
    // The decided result stays in place on this page (the page does not shift under the user).
    const next = items.map((r) => (r.id === current.id ? data.result! : r));
    setPage({ ...page, items: next });
    setNotice(
      t('review.decided', {
        what: `${current.code} → ${data.result?.asin ?? t('review.noMatch')}`,
      }),
    );
    const similar = (data as { similar?: Similar }).similar;
    setOffer(
      similar && offerScopes(similar).count > 0
        ? { resultId: current.id!, code: current.code ?? '', similar }
        : null,
    );
    setHistoryVersion((v) => v + 1);
    setError(null);
    advance(next, items.indexOf(current));
  };
  const applyOffer = async () => {
    if (!offer || !canWrite) return;
    const { scopes, count } = offerScopes(offer.similar);
    const { data, error: failed } = await api.POST(
      '/api/v1/code2asin/jobs/{id}/decisions/similar',
      {
        params: { path: { id } },
        body: { result_id: offer.resultId, scopes, expected_count: count, remember },
      },
    );
    setOffer(null);
    if (!data) return setError(errorOf(failed));
    setNotice(t('similar.applied', { count: formatNumber(data.decided ?? 0) }));
    patchItems(data.results ?? []);
    setHistoryVersion((v) => v + 1);
    focusMain();
  };
  /** Results the server answered changed, replaced in place on the page on screen. */
  const patchItems = (changed: Result[]) => {
    const byId = new Map(changed.map((r) => [r.id, r]));
    setPage((p) => p && { ...p, items: (p.items ?? []).map((r) => byId.get(r.id) ?? r) });
  };
  const choose = (index: number) => {
    const c = current ? candidatesOf(current)[index] : undefined;
    if (c?.asin) void decide({ action: 'choose', asin: c.asin });
  };
  const undo = async () => {
    const { data, error: failed } = await api.POST('/api/v1/code2asin/jobs/{id}/decisions/undo', {
      params: { path: { id } },
      body: {},
    });
    if (!data) return setError(errorOf(failed));
    setNotice(t('review.undone', { count: data.undone ?? 0 }));
    setOffer(null);
    const undoneIndex = items.findIndex((r) => data.result_ids?.includes(r.id!));
    // Results back on this page change in place; a bulk step taken back (its results had left
    // the page) brings them back with a new read.
    if (undoneIndex >= 0) {
      patchItems(data.results ?? []);
      setSelected(undoneIndex);
    } else await load();
    setHistoryVersion((v) => v + 1);
    focusMain();
  };
  const enterAsin = (e: Event) => {
    e.preventDefault();
    const value = asinInput.current?.value.trim() ?? '';
    if (!value) return;
    void decide({ action: 'asin', asin: value }).then(() => {
      if (asinInput.current) asinInput.current.value = '';
    });
  };
  const runBulk = async () => {
    const action = bulk;
    setBulk(null);
    if (!action) return;
    const { review, ...rest } = filter;
    const { data, error: failed } = await api.POST('/api/v1/code2asin/jobs/{id}/decisions/bulk', {
      params: { path: { id } },
      body: {
        action,
        filter: { ...rest, ...(review ? { review } : {}) },
        expected_count: page?.total ?? 0,
        remember,
      },
    });
    if (!data) return setError(errorOf(failed));
    setNotice(t('review.decided', { what: String(data.decided ?? 0) }));
    setCursors([]);
    setSelected(0);
    await load();
    setHistoryVersion((v) => v + 1);
  };

  useReviewKeys({
    j: () => move(1),
    arrowdown: () => move(1),
    k: () => move(-1),
    arrowup: () => move(-1),
    a: () => void decide({ action: 'accept' }),
    n: () => void decide({ action: 'no_match' }),
    u: () => void (canWrite && undo()),
    e: () => asinInput.current?.focus(),
    o: () => void applyOffer(),
    ...Object.fromEntries(
      Array.from({ length: CHOOSABLE }, (_, i) => [String(i + 1), () => choose(i)]),
    ),
  });

  const setQuery = (changes: Record<string, string>) => {
    const next = new URLSearchParams({ ...query, ...changes });
    for (const [k, v] of [...next]) if (!v) next.delete(k);
    route(`${path}?${next}`);
  };
  const total = page?.total ?? 0;
  return (
    <section class="review">
      <h1>{t('review.title', { name: job?.name ?? '' })}</h1>
      <p>
        <a href={`/jobs/${id}`}>← {job?.name ?? ''}</a>
      </p>
      <ReviewFilters query={query} marketplaces={job?.marketplaces ?? []} onChange={setQuery} />
      <p role="status">
        {t('review.count', { count: formatNumber(total) })}{' '}
        {notice && <span class="notice">· {notice}</span>}
      </p>
      {canWrite && total > 0 && (
        <p class="actions">
          <button type="button" onClick={() => setBulk('accept')}>
            {t('review.bulkAccept', { count: formatNumber(total) })}
          </button>
          <button type="button" onClick={() => setBulk('no_match')}>
            {t('review.bulkNoMatch', { count: formatNumber(total) })}
          </button>
          <label>
            <input
              type="checkbox"
              checked={remember}
              onChange={(e) => setRemember(e.currentTarget.checked)}
            />{' '}
            {t('review.remember')}
          </label>
        </p>
      )}
      <ErrorBanner error={error} onRetry={() => void load()} />
      {page && items.length === 0 && <p class="empty">{t('review.done')}</p>}
      {current && (
        <div class="review-body">
          <ol class="queue" aria-label={t('review.filter.queue')}>
            {items.map((r, i) => (
              <li key={r.id} aria-current={i === selected ? 'true' : undefined}>
                <button type="button" onClick={() => setSelected(i)}>
                  <span class="code">{r.code}</span>{' '}
                  <span class={`badge ${r.match_type}`}>
                    {r.match_type ? t(`match.${r.match_type}` as never) : r.status}
                  </span>{' '}
                  <span class="muted">
                    {r.confidence == null ? '' : formatNumber(r.confidence, 2)}
                  </span>
                  {r.match_type === 'manual' && (
                    <span class="done"> ✓ {r.asin ?? t('review.noMatch')}</span>
                  )}
                </button>
              </li>
            ))}
          </ol>
          <div
            class="review-main"
            role="region"
            ref={main}
            tabIndex={-1}
            aria-label={t('review.region', { code: current.code ?? '' })}
          >
            {offer && (
              <SimilarOffer
                offer={offer}
                onApply={() => void applyOffer()}
                onDismiss={() => {
                  setOffer(null);
                  focusMain();
                }}
              />
            )}
            <div class="actions keys">
              <button type="button" onClick={() => move(-1)} aria-keyshortcuts="K">
                <kbd>K</kbd> {t('review.previous')}
              </button>
              <button type="button" onClick={() => move(1)} aria-keyshortcuts="J">
                <kbd>J</kbd> {t('review.next')}
              </button>
              {canWrite && (
                <>
                  <button
                    type="button"
                    class="primary"
                    onClick={() => void decide({ action: 'accept' })}
                    aria-keyshortcuts="A"
                  >
                    <kbd>A</kbd> {t('review.accept')}
                  </button>
                  <button
                    type="button"
                    onClick={() => void decide({ action: 'no_match' })}
                    aria-keyshortcuts="N"
                  >
                    <kbd>N</kbd> {t('review.noMatch')}
                  </button>
                  <button type="button" onClick={() => void undo()} aria-keyshortcuts="U">
                    <kbd>U</kbd> {t('review.undo')}
                  </button>
                  <form class="inline" onSubmit={enterAsin}>
                    <label for="asin-input">
                      <kbd>E</kbd> {t('review.asinLabel', { code: current.code ?? '' })}
                    </label>
                    <input
                      id="asin-input"
                      ref={asinInput}
                      maxLength={10}
                      pattern="[A-Za-z0-9]{10}"
                      autocomplete="off"
                      spellcheck={false}
                      aria-keyshortcuts="E"
                      onKeyDown={(e) => {
                        if (e.key === 'Escape') main.current?.focus();
                      }}
                    />
                    <button type="submit">{t('review.asinSubmit')}</button>
                  </form>
                </>
              )}
            </div>
            <ReviewPanel result={current} canWrite={canWrite} onChoose={choose} />
            <p class="muted">{t('review.keys')}</p>
          </div>
        </div>
      )}
      <nav class="paging" aria-label="result pages">
        <button
          type="button"
          disabled={cursors.length === 0}
          onClick={() => {
            setCursors(cursors.slice(0, -1));
            setSelected(0);
          }}
        >
          {t('paging.previous')}
        </button>
        <button type="button" disabled={page?.next_after == null} onClick={nextPage}>
          {t('paging.next')}
        </button>
      </nav>
      <DecisionHistory jobId={id} version={historyVersion} />
      <ConfirmDialog
        open={bulk !== null}
        message={t(bulk === 'no_match' ? 'review.bulkConfirmNoMatch' : 'review.bulkConfirmAccept', {
          count: formatNumber(total),
        })}
        onConfirm={() => void runBulk()}
        onCancel={() => setBulk(null)}
      />
    </section>
  );
}
