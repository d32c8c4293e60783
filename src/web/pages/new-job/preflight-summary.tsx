import { formatDuration, formatNumber, hasMessage, t } from '../../i18n/i18n.js';
import { reasonsBySize } from './detection.js';

/** The pre-flight report of a job (`preflight`), as the server computed it. */
export interface Preflight {
  rows?: number;
  valid?: number;
  invalid?: number;
  invalid_by_reason?: Record<string, number>;
  duplicates?: number;
  distinct_codes?: number;
  marketplaces?: string[];
  already_known?: number;
  cached?: number;
  by_rule?: number;
  to_query?: number;
  requests?: number;
  eta_seconds?: number;
}

/** Rows, valid, invalid by reason, duplicates, already known, requests to spend and ETA. */
export function PreflightSummary({ report }: { report: Preflight }) {
  const figures: [string, string][] = [
    [t('preflight.rows'), formatNumber(report.rows ?? 0)],
    [t('preflight.valid'), formatNumber(report.valid ?? 0)],
    [t('preflight.invalid'), formatNumber(report.invalid ?? 0)],
    [t('preflight.duplicates'), formatNumber(report.duplicates ?? 0)],
    [t('preflight.distinct'), formatNumber(report.distinct_codes ?? 0)],
    [
      t('preflight.known'),
      t('preflight.knownDetail', {
        count: formatNumber(report.already_known ?? 0),
        cached: formatNumber(report.cached ?? 0),
        rules: formatNumber(report.by_rule ?? 0),
      }),
    ],
    [t('preflight.requests'), formatNumber(report.requests ?? 0)],
    [t('preflight.eta'), formatDuration(report.eta_seconds ?? 0)],
  ];
  const reasons = reasonsBySize(report.invalid_by_reason);
  return (
    <section aria-labelledby="preflight-title">
      <h2 id="preflight-title">{t('preflight.title')}</h2>
      <dl class="preflight">
        {figures.map(([label, value]) => (
          <div key={label}>
            <dt>{label}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
      {reasons.length > 0 && (
        <>
          <h3>{t('preflight.invalidByReason')}</h3>
          <ul class="reasons">
            {reasons.map(([reason, count]) => (
              <li key={reason}>
                {formatNumber(count)} ×{' '}
                {hasMessage(`invalid.${reason}`) ? t(`invalid.${reason}` as never) : reason}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
