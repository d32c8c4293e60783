import { useState } from 'preact/hooks';
import { api, errorOf, type ApiError } from '../../api/client.js';
import { formatNumber, hasMessage, t } from '../../i18n/i18n.js';
import { can } from '../../session.js';

export type Candidate = {
  asin?: string;
  title?: string | null;
  brand?: string | null;
  match_type?: string;
  confidence?: number;
  reasons?: string[];
  rejected?: boolean;
};
export type CodeSearch = {
  input?: string;
  code?: string;
  code_type?: string;
  gtin14?: string;
  marketplace?: string;
  found?: boolean;
  asin?: string | null;
  match_type?: string;
  confidence?: number;
  reasons?: string[];
  repairs?: string[];
  alternatives?: { code?: string; type?: string; relation?: string }[];
  candidates?: Candidate[];
};
export type AsinCheck = { asin: string; marketplace: string; valid: boolean; reason: string };

const said = (prefix: string, code: string) =>
  hasMessage(`${prefix}.${code}`) ? t(`${prefix}.${code}` as never) : code;

function Reasons({ reasons }: { reasons: string[] | undefined }) {
  return <>{(reasons ?? []).map((r) => said('reason', r)).join(' · ')}</>;
}

/** A code's answer on one marketplace: what it became, the best match, the candidates. */
export function CodeAnswer(props: { answer: CodeSearch; onError: (e: ApiError) => void }) {
  const a = props.answer;
  const [ruled, setRuled] = useState<string | null>(null);
  const addRule = async (asin: string) => {
    const res = await api.POST('/api/v1/code2asin/rules', {
      body: { code: a.gtin14 ?? a.code ?? '', asin, rule: 'always', marketplace: a.marketplace },
    });
    if (res.error) return props.onError(errorOf(res.error));
    setRuled(asin);
  };
  const repairs = a.repairs ?? [];
  return (
    <>
      <p>
        {t('lookup.became', {
          input: a.input ?? '',
          type: a.code_type ?? '',
          code: a.code ?? '',
          gtin: a.gtin14 ?? '',
        })}
      </p>
      <p>
        {t('lookup.repairs')}:{' '}
        {repairs.length ? repairs.map((f) => said('flag', f)).join(', ') : t('lookup.noRepair')}
        {a.alternatives?.length ? (
          <>
            {' '}
            · {t('lookup.alternatives')}:{' '}
            {a.alternatives.map((x) => `${x.type} ${x.code}`).join(', ')}
          </>
        ) : null}
      </p>
      <p role="status" class={a.found ? 'ok' : 'muted'}>
        {a.found
          ? t('lookup.found', {
              asin: a.asin ?? '',
              match: said('match', a.match_type ?? 'none'),
              confidence: formatNumber(a.confidence ?? 0, 2),
            })
          : t('lookup.notFound', { marketplace: a.marketplace ?? '' })}{' '}
        {a.found && <Reasons reasons={a.reasons} />}
      </p>
      {ruled && (
        <p role="status" class="notice">
          {t('lookup.ruleAdded', { asin: ruled, marketplace: a.marketplace ?? '' })}
        </p>
      )}
      {(a.candidates?.length ?? 0) > 0 && (
        <table>
          <caption>{t('lookup.candidates')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('lookup.col.asin')}</th>
              <th scope="col">{t('lookup.col.title')}</th>
              <th scope="col">{t('lookup.col.brand')}</th>
              <th scope="col">{t('lookup.col.match')}</th>
              <th scope="col">{t('lookup.col.confidence')}</th>
              <th scope="col">{t('lookup.col.reasons')}</th>
              {can('write') && <th scope="col">{t('lookup.col.rule')}</th>}
            </tr>
          </thead>
          <tbody>
            {a.candidates!.map((c) => (
              <tr key={c.asin}>
                <td>
                  <code>{c.asin}</code>
                </td>
                <td>{c.title ?? ''}</td>
                <td>{c.brand ?? ''}</td>
                <td>{said('match', c.match_type ?? 'none')}</td>
                <td>{formatNumber(c.confidence ?? 0, 2)}</td>
                <td>
                  <Reasons reasons={c.reasons} />
                </td>
                {can('write') && (
                  <td>
                    <button
                      type="button"
                      disabled={ruled === c.asin}
                      onClick={() => void addRule(c.asin ?? '')}
                    >
                      {t('lookup.addRule', { asin: c.asin ?? '' })}
                    </button>
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

/** An ASIN's check on one marketplace, in the API's own words. */
export function AsinAnswer({ answer }: { answer: AsinCheck }) {
  return (
    <p role="status" class={answer.valid ? 'ok' : 'error'}>
      {answer.valid
        ? t('lookup.asinValid', { asin: answer.asin, marketplace: answer.marketplace })
        : t('lookup.asinInvalid', {
            asin: answer.asin,
            marketplace: answer.marketplace,
            message: answer.reason,
          })}
    </p>
  );
}
