import type { Result } from '../../api/client.js';
import { formatNumber, hasMessage, t } from '../../i18n/i18n.js';

interface Candidate {
  asin?: string;
  title?: string | null;
  brand?: string | null;
  image?: string | null;
  match_type?: string;
  confidence?: number;
  reasons?: string[];
  rejected?: boolean;
}

/** How many candidates the number keys reach (1–9). */
export const CHOOSABLE = 9;

/** The candidates in the order the keys 1–9 choose them: ranked ones first, rejected last. */
export function candidatesOf(result: Result): Candidate[] {
  const all = (result.candidates ?? []) as Candidate[];
  return [...all.filter((c) => !c.rejected), ...all.filter((c) => c.rejected)].filter(
    (c) => c.asin,
  );
}

/** A reason code (`title_similarity:0.82`) in plain words. */
export function reasonText(reason: string): string {
  const [code = '', value] = reason.split(':');
  const key = `reason.${code}`;
  const words = hasMessage(key) ? t(key) : code.replace(/_/g, ' ');
  return value ? `${words} (${value})` : words;
}

function productLink(marketplace: string | undefined, asin: string) {
  const host = /^[a-z0-9.-]+$/.test(marketplace ?? '') ? marketplace : 'www.amazon.com';
  return `https://${host}/dp/${encodeURIComponent(asin)}`;
}

/**
 * A candidate's picture, served by code2asin itself (the browser never contacts Amazon); only
 * asked for when the provider listed one, so a missing picture is no failed request.
 */
function Thumbnail(props: { result: Result; asin: string; title: string; size: number }) {
  const { result, asin } = props;
  const path = `/api/v1/code2asin/jobs/${encodeURIComponent(result.job_id ?? '')}/results/${result.id}/images/${encodeURIComponent(asin)}`;
  return (
    <img
      class="thumb"
      src={path}
      alt={props.title}
      width={props.size}
      height={props.size}
      loading="lazy"
      decoding="async"
    />
  );
}

/** Whether the provider listed a picture for `asin` in this result. */
function hasImage(result: Result, candidate: Candidate | undefined, asin: string): boolean {
  if (candidate?.image) return true;
  const product = result.product as { asin?: string; images?: unknown[] } | null | undefined;
  return product?.asin === asin && typeof product.images?.[0] === 'string';
}

function Reasons({ reasons }: { reasons: string[] | undefined }) {
  if (!reasons?.length) return null;
  return (
    <ul class="reasons">
      {reasons.map((r) => (
        <li key={r}>{reasonText(r)}</li>
      ))}
    </ul>
  );
}

/** The supplier's row beside the proposal and the other candidates; all text shown as text. */
export function ReviewPanel(props: {
  result: Result;
  canWrite: boolean;
  onChoose: (index: number) => void;
}) {
  const { result, canWrite } = props;
  const context = (result.context ?? {}) as { title?: string; brand?: string; quantity?: number };
  const product = (result.product ?? null) as {
    title?: string;
    brand?: string;
    images?: string[];
    external_ids?: Record<string, string[]>;
  } | null;
  const candidates = candidatesOf(result);
  const proposal = result.asin ?? result.proposed_asin ?? candidates[0]?.asin ?? null;
  const proposed = candidates.find((c) => c.asin === proposal) ?? candidates[0];
  const ids = product?.external_ids
    ? Object.entries(product.external_ids).filter(([, v]) => v?.length)
    : [];
  return (
    <div class="panel">
      <section class="card" aria-label={t('review.supplier')}>
        <h3>{t('review.supplier')}</h3>
        <p class="code">{result.code}</p>
        <p class="muted">
          {result.code_type} · GTIN {result.gtin} · {result.marketplace}
        </p>
        {context.title && <p class="title">{context.title}</p>}
        {context.brand && <p>{context.brand}</p>}
        {context.quantity != null && <p>{t('review.quantity', { quantity: context.quantity })}</p>}
      </section>
      <section class="card proposal" aria-label={t('review.proposal')}>
        <h3>{t('review.proposal')}</h3>
        {proposal ? (
          <>
            {hasImage(result, proposed?.asin === proposal ? proposed : undefined, proposal) && (
              <Thumbnail
                result={result}
                asin={proposal}
                title={product?.title ?? proposed?.title ?? proposal}
                size={120}
              />
            )}
            <p class="title">{product?.title ?? proposed?.title ?? ''}</p>
            <p>{product?.brand ?? proposed?.brand ?? ''}</p>
            <p>
              <a
                href={productLink(result.marketplace, proposal)}
                target="_blank"
                rel="noopener noreferrer"
              >
                {proposal}
              </a>{' '}
              · {result.match_type ? t(`match.${result.match_type}` as never) : ''} ·{' '}
              {t('review.score', {
                score: formatNumber(result.confidence ?? proposed?.confidence ?? 0, 2),
              })}
            </p>
            {ids.length > 0 && (
              <p class="muted">
                {ids.map(([k, v]) => `${k.toUpperCase()} ${v.join(', ')}`).join(' · ')}
              </p>
            )}
            <Reasons reasons={result.reasons ?? []} />
          </>
        ) : (
          <p>{t('review.noProposal')}</p>
        )}
      </section>
      <section class="card" aria-label={t('review.candidates')}>
        <h3>{t('review.candidates')}</h3>
        <ol class="candidates">
          {candidates.slice(0, CHOOSABLE).map((c, i) => (
            <li key={c.asin} class={c.rejected ? 'rejected' : ''}>
              {hasImage(result, c, c.asin!) && (
                <Thumbnail result={result} asin={c.asin!} title={c.title ?? c.asin!} size={64} />
              )}
              <div>
                <strong>{c.title ?? c.asin}</strong>{' '}
                {c.brand && <span class="muted">{c.brand}</span>}
              </div>
              <div>
                <a
                  href={productLink(result.marketplace, c.asin!)}
                  target="_blank"
                  rel="noopener noreferrer"
                >
                  {c.asin}
                </a>{' '}
                · {t('review.score', { score: formatNumber(c.confidence ?? 0, 2) })}
              </div>
              <Reasons reasons={c.reasons} />
              {canWrite && (
                <button
                  type="button"
                  onClick={() => props.onChoose(i)}
                  aria-keyshortcuts={String(i + 1)}
                >
                  <kbd>{i + 1}</kbd> {t('review.choose')} {c.asin}
                </button>
              )}
            </li>
          ))}
        </ol>
      </section>
    </div>
  );
}
