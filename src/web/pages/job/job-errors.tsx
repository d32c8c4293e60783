import { useEffect, useState } from 'preact/hooks';
import { api, errorOf, unwrap, type ApiError } from '../../api/client.js';
import { ErrorBanner } from '../../components/error-banner.js';
import { formatNumber, hasMessage, t } from '../../i18n/i18n.js';

type ErrorsByClass = {
  total?: number;
  by_class?: { error_class?: string; count?: number; example?: string | null }[];
};

/** The job's lookup errors by class, largest first, each with what it means and an example. */
export function JobErrors({ jobId, version }: { jobId: string; version: string }) {
  const [errors, setErrors] = useState<ErrorsByClass | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  useEffect(() => {
    void api
      .GET('/api/v1/code2asin/jobs/{id}/errors', { params: { path: { id: jobId } } })
      .then((r) => setErrors(unwrap(r)))
      .catch((e: unknown) => setError(errorOf(e)));
  }, [jobId, version]);
  if (!errors) return <ErrorBanner error={error} />;
  if ((errors.total ?? 0) === 0) return <p>{t('job.errors.none')}</p>;
  return (
    <table>
      <caption>{t('job.errors.caption', { count: formatNumber(errors.total ?? 0) })}</caption>
      <thead>
        <tr>
          <th scope="col">{t('job.errors.class')}</th>
          <th scope="col">{t('job.errors.count')}</th>
          <th scope="col">{t('job.errors.example')}</th>
        </tr>
      </thead>
      <tbody>
        {(errors.by_class ?? []).map((c) => {
          const key = `errorClass.${c.error_class ?? 'unknown'}`;
          return (
            <tr key={c.error_class}>
              <td>{hasMessage(key) ? t(key) : c.error_class}</td>
              <td>{formatNumber(c.count ?? 0)}</td>
              <td>{c.example ?? ''}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
