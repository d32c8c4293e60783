import { useEffect, useRef, useState } from 'preact/hooks';
import { useLocation, useRoute } from 'preact-iso';
import { api, errorOf, type JobDetail, type Result } from '../../api/client.js';
import { ConfirmDialog } from '../../components/confirm-dialog.js';
import { ErrorBanner } from '../../components/error-banner.js';
import { formatNumber, t } from '../../i18n/i18n.js';
import { can } from '../../session.js';
import { DecisionHistory } from './decision-history.js';
import { KeyHelp, KeyLegend } from './key-help.js';
import { QueueDone, QueueList } from './queue-list.js';
import { filterFromQuery, ReviewFilters } from './review-filters.js';
import { candidatesOf, CHOOSABLE, ReviewPanel } from './review-panel.js';
import { ReviewStatus, useSettledCounts } from './review-status.js';
import { ReviewToolbar } from './review-toolbar.js';
import { offerScopes, SimilarOffer, type Offer, type Similar } from './similar-offer.js';
import { isDecided, useResultPage } from './use-result-page.js';
import { useExclusive } from './use-exclusive.js';
import { useReviewKeys } from './use-review-keys.js';

type Decision = { action: 'accept' | 'choose' | 'asin' | 'no_match'; asin?: string };

/**
 * The review queue: opens on what needs a person, filters in the URL, pages by key; one result
 * at a time beside its proposal and candidates; every action on a button with its key, the keys
 * on screen and behind `?`; what is left counted; the end of the queue said in words.
 */
export function ReviewPage() {
  const { params } = useRoute();
  const { query, path, route } = useLocation();
  const id = params.id ?? '';
  const filter = filterFromQuery(query);
  const results = useResultPage(id, filter);
  const { page, items, error, setError } = results;
  const [job, setJob] = useState<JobDetail | null>(null);
  const [notice, setNotice] = useState('');
  const [remember, setRemember] = useState(false);
  const [bulk, setBulk] = useState<'accept' | 'no_match' | null>(null);
  const [help, setHelp] = useState(false);
  const [historyVersion, setHistoryVersion] = useState(0);
  const [offer, setOffer] = useState<Offer | null>(null);
  const asinInput = useRef<HTMLInputElement>(null);
  // Focus goes back here after every decision: the buttons of the result just decided are gone.
  const main = useRef<HTMLDivElement>(null);
  const focusMain = () => requestAnimationFrame(() => main.current?.focus());
  const canWrite = can('write');
  const inQueue = filter.review === true;

  useEffect(() => {
    void api
      .GET('/api/v1/code2asin/jobs/{id}', { params: { path: { id } } })
      .then((r) => r.data && setJob(r.data));
  }, [id]);
  const settled = useSettledCounts(results.readId);

  const current: Result | undefined = items[results.selected];
  const { busy, run: exclusive } = useExclusive(() => results.reading.current);
  /**
   * After a decision: the next result nobody decided on this page, else the next page, else one
   * skipped earlier on this page, else (in the queue) the first page again, which now holds only
   * what is still open (skipped on earlier pages, or reopened by someone else) — empty when
   * everything is settled, and then the end of the queue is said on screen.
   */
  const advance = (decidedItems: Result[], from: number) => {
    const after = decidedItems.findIndex((r, i) => i > from && !isDecided(r));
    const before = decidedItems.findIndex((r) => !isDecided(r));
    if (after >= 0) results.select(after);
    else if (results.hasNext) results.nextPage();
    else if (before >= 0) results.select(before);
    else if (inQueue) results.restart();
    focusMain();
  };

  const decide = (d: Decision) =>
    exclusive(async () => {
      if (!current || !canWrite) return;
      const { data, error: failed } = await api.POST('/api/v1/code2asin/jobs/{id}/decisions', {
        params: { path: { id } },
        body: { result_id: current.id!, action: d.action, asin: d.asin ?? null, remember },
      });
      if (!data) return setError(errorOf(failed));
      if (d.action === 'asin' && asinInput.current) asinInput.current.value = '';
      // The decided result stays in place on this page (the page does not shift under the user).
      const next = items.map((r) => (r.id === current.id ? data.result! : r));
      results.patchItems([data.result!]);
      if (!isDecided(current)) settled.add(1);
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
    });
  const accept = () => {
    if (current && !current.asin && !current.proposed_asin && candidatesOf(current).length === 0)
      return setNotice(t('review.nothingToAccept'));
    void decide({ action: 'accept' });
  };
  const choose = (index: number) => {
    const c = current ? candidatesOf(current)[index] : undefined;
    if (c?.asin) void decide({ action: 'choose', asin: c.asin });
    else setNotice(t('review.noCandidate', { n: index + 1 }));
  };
  const applyOffer = () =>
    exclusive(async () => {
      if (!canWrite) return;
      if (!offer) return setNotice(t('review.noOffer'));
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
      results.patchItems(data.results ?? []);
      settled.add(data.decided ?? 0);
      setHistoryVersion((v) => v + 1);
      focusMain();
    });
  const undo = () =>
    exclusive(async () => {
      if (!canWrite) return;
      const { data, error: failed } = await api.POST('/api/v1/code2asin/jobs/{id}/decisions/undo', {
        params: { path: { id } },
        body: {},
      });
      if (!data) return setError(errorOf(failed));
      setNotice(t('review.undone', { count: data.undone ?? 0 }));
      setOffer(null);
      settled.add(-(data.undone ?? 0));
      const undoneIndex = items.findIndex((r) => data.result_ids?.includes(r.id!));
      // Results back on this page change in place; a bulk step taken back (its results had left
      // the page) brings them back with a new read.
      if (undoneIndex >= 0) {
        results.patchItems(data.results ?? []);
        results.select(undoneIndex);
      } else results.restart();
      setHistoryVersion((v) => v + 1);
      focusMain();
    });
  const enterAsin = (e: Event) => {
    e.preventDefault();
    const value = asinInput.current?.value.trim() ?? '';
    if (!value) return;
    void decide({ action: 'asin', asin: value });
  };
  const runBulk = () =>
    exclusive(async () => {
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
      settled.add(data.decided ?? 0);
      results.restart();
      setHistoryVersion((v) => v + 1);
    });

  useReviewKeys({
    j: () => results.move(1),
    arrowdown: () => results.move(1),
    k: () => results.move(-1),
    arrowup: () => results.move(-1),
    a: accept,
    n: () => void decide({ action: 'no_match' }),
    u: () => void undo(),
    e: () => asinInput.current?.focus(),
    o: () => void applyOffer(),
    '?': () => setHelp(true),
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
      <ReviewStatus
        total={total}
        left={inQueue && page ? Math.max(0, total - settled.sinceRead) : null}
        settledHere={settled.here}
        notice={notice}
        canWrite={canWrite}
        remember={remember}
        onRemember={setRemember}
        onBulk={setBulk}
      />
      <ErrorBanner error={error} onRetry={() => void results.load()} />
      {page && items.length === 0 && (
        <QueueDone jobId={id} jobName={job?.name ?? ''} settled={settled.here} />
      )}
      {current && (
        <div class="review-body">
          <QueueList items={items} selected={results.selected} onSelect={results.select} />
          <div
            class="review-main"
            role="region"
            ref={main}
            tabIndex={-1}
            aria-label={t('review.region', { code: current.code ?? '' })}
            aria-busy={busy || results.loading}
          >
            <KeyLegend canWrite={canWrite} />
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
            <ReviewToolbar
              code={current.code ?? ''}
              canWrite={canWrite}
              busy={busy}
              asinInput={asinInput}
              onMove={results.move}
              onAccept={accept}
              onNoMatch={() => void decide({ action: 'no_match' })}
              onUndo={() => void undo()}
              onAsin={enterAsin}
              onLeaveAsin={() => main.current?.focus()}
              onHelp={() => setHelp(true)}
            />
            <ReviewPanel result={current} canWrite={canWrite} onChoose={choose} />
          </div>
        </div>
      )}
      <nav class="paging" aria-label="result pages">
        <button type="button" disabled={!results.hasPrevious} onClick={results.previousPage}>
          {t('paging.previous')}
        </button>
        <button type="button" disabled={!results.hasNext} onClick={results.nextPage}>
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
      <KeyHelp
        open={help}
        canWrite={canWrite}
        onClose={() => {
          setHelp(false);
          focusMain();
        }}
      />
    </section>
  );
}
