import { formatDuration, formatNumber, t } from '../i18n/i18n.js';

interface Progress {
  percent?: number;
  done?: number;
  total?: number;
  rate_per_second?: number | null;
  eta_seconds?: number | null;
}

/** A job's progress as the API computed it: bar, done / total, rate and ETA when known. */
export function ProgressBar({
  progress,
  label,
}: {
  progress: Progress | undefined;
  label: string;
}) {
  const p = progress ?? {};
  return (
    <div class="progress">
      <progress max={100} value={p.percent ?? 0} aria-label={label}>
        {p.percent ?? 0} %
      </progress>
      <span class="muted">
        {formatNumber(p.done ?? 0)} / {formatNumber(p.total ?? 0)} (
        {formatNumber(p.percent ?? 0, 1)} %)
        {p.rate_per_second != null &&
          ` · ${t('jobs.rate', { rate: formatNumber(p.rate_per_second, 1), eta: formatDuration(p.eta_seconds) })}`}
      </span>
    </div>
  );
}
