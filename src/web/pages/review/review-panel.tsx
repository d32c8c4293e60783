import type { Result } from '../../api/client.js';
import { formatNumber, hasMessage, t } from '../../i18n/i18n.js';

interface Candidate {
  asin?: string;
  title?: string | null;
  brand?: string | null;
  match_type?: string;
  confidence?: number;
  reasons?: string[];
  rejected?: boolean;
}

/** The candidates in the order the keys 1–5 choose them: ranked ones first, rejected last. */
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
            {product?.images?.[0] && (
              <img
                src={product.images[0]}
                alt={product.title ?? proposal}
                width={120}
                height={120}
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
          {candidates.slice(0, 5).map((c, i) => (
            <li key={c.asin} class={c.rejected ? 'rejected' : ''}>
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
