import { formatNumber, t } from '../../i18n/i18n.js';

interface Group {
  count?: number;
  examples?: { id?: number; code?: string; marketplace?: string }[];
}

/** What a decision's answer says the same decision would change elsewhere. */
export interface Similar {
  asin?: string | null;
  listing?: string | null;
  same_code?: Group;
  same_listing?: Group;
}

export interface Offer {
  resultId: number;
  code: string;
  similar: Similar;
}

export type SimilarScope = 'same_code' | 'same_listing';

/** The scopes of an offer that would change something, and how many results in all. */
export function offerScopes(similar: Similar): { scopes: SimilarScope[]; count: number } {
  const scopes = (['same_code', 'same_listing'] as const).filter(
    (s) => (similar[s]?.count ?? 0) > 0,
  );
  return { scopes, count: scopes.reduce((n, s) => n + (similar[s]?.count ?? 0), 0) };
}

function examples(group: Group | undefined): string {
  const shown = (group?.examples ?? []).map((e) => `${e.code ?? ''} (${e.marketplace ?? ''})`);
  const more = (group?.count ?? 0) - shown.length;
  return more > 0 ? `${shown.join(', ')} ${t('similar.more', { count: more })}` : shown.join(', ');
}

/**
 * After a decision, the offer to make the same one on the results it fits — like OpenRefine's
 * "match all identical cells", but never applied without the person's say: it states how many
 * results and which before anything changes, and is undone as one step.
 */
export function SimilarOffer(props: { offer: Offer; onApply: () => void; onDismiss: () => void }) {
  const { similar, code } = props.offer;
  const { count } = offerScopes(similar);
  const decision = similar.asin ?? t('review.noMatch');
  const sameCode = similar.same_code?.count ?? 0;
  const sameListing = similar.same_listing?.count ?? 0;
  return (
    <section class="similar" aria-label={t('similar.title')}>
      <strong>{t('similar.title')}</strong>
      <ul>
        {sameCode > 0 && (
          <li>
            {t('similar.sameCode', { count: formatNumber(sameCode), code })}:{' '}
            {examples(similar.same_code)}
          </li>
        )}
        {sameListing > 0 && (
          <li>
            {t(similar.asin ? 'similar.sameListing' : 'similar.sameListingRejected', {
              count: formatNumber(sameListing),
              asin: similar.listing ?? '',
            })}
            : {examples(similar.same_listing)}
          </li>
        )}
      </ul>
      <button type="button" class="primary" onClick={props.onApply} aria-keyshortcuts="O">
        <kbd>O</kbd> {t('similar.apply', { count: formatNumber(count), decision })}
      </button>{' '}
      <button type="button" onClick={props.onDismiss}>
        {t('similar.dismiss')}
      </button>
    </section>
  );
}
