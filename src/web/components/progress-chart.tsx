import { useEffect, useRef, useState } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { api } from '../api/client.js';
import { formatNumber, locale, t } from '../i18n/i18n.js';
import { usePolling } from './use-polling.js';

type Progress = {
  bucket_seconds: number;
  points: { at: string; found: number; to_review: number; not_found: number; error: number }[];
};
const SERIES = [
  ['found', 'chart.found', '#2e8b57'],
  ['to_review', 'chart.review', '#d08a00'],
  ['not_found', 'chart.notFound', '#8a8f98'],
  ['error', 'chart.errors', '#c0392b'],
] as const;

/** Cumulative outcomes per bucket and the pace (results per minute), as uPlot's columns. */
function columns(p: Progress): uPlot.AlignedData {
  const x = p.points.map((pt) => Date.parse(pt.at) / 1000);
  const totals = SERIES.map(([key]) => {
    let sum = 0;
    return p.points.map((pt) => (sum += pt[key]));
  });
  const perMinute = p.points.map(
    (pt) => ((pt.found + pt.to_review + pt.not_found + pt.error) * 60) / p.bucket_seconds,
  );
  return [x, ...totals, perMinute];
}

function options(width: number): uPlot.Options {
  return {
    width,
    height: 220,
    legend: { show: true },
    series: [
      {},
      ...SERIES.map(([, label, stroke]) => ({ label: t(label), stroke, width: 2 })),
      { label: t('chart.rate'), stroke: '#1f4fb8', dash: [4, 4], scale: 'rate' },
    ],
    axes: [{}, {}, { scale: 'rate', side: 1, grid: { show: false } }],
    scales: { rate: { auto: true } },
  };
}

/**
 * The job's results over time (uPlot): found, to review, not found and errors as running totals,
 * and the pace per minute on its own axis. Polled while the job runs. The figure's text
 * alternative states the same totals in words.
 */
export function ProgressChart(props: { jobId: string; live: boolean }) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const [data, setData] = useState<Progress | null>(null);
  usePolling(
    async () => {
      const res = await api.GET('/api/v1/code2asin/jobs/{id}/progress', {
        params: { path: { id: props.jobId } },
      });
      if (res.data) setData(res.data as Progress);
    },
    5_000,
    props.live,
    [props.jobId],
  );
  useEffect(() => {
    if (!data || !box.current) return;
    const cols = columns(data);
    if (!plot.current) {
      const width = Math.max(320, box.current.clientWidth || 640);
      plot.current = new uPlot(options(width), cols, box.current);
    } else plot.current.setData(cols);
  }, [data]);
  useEffect(() => () => plot.current?.destroy(), []);
  // The labels follow the language: the chart is rebuilt on the next data.
  useEffect(() => {
    plot.current?.destroy();
    plot.current = null;
    if (data) setData({ ...data });
  }, [locale.value]);
  const totals = Object.fromEntries(
    SERIES.map(([key]) => [key, (data?.points ?? []).reduce((s, p) => s + p[key], 0)]),
  );
  const last = data?.points.at(-1);
  const rate = last && data ? columns({ ...data, points: [last] })[5]![0]! : 0;
  const resolved = Object.values(totals).reduce((a, b) => a + b, 0);
  return (
    <figure class="chart">
      <figcaption>{t('chart.title')}</figcaption>
      <p class="muted">
        {resolved === 0
          ? t('chart.empty')
          : t('chart.summary', {
              found: formatNumber(totals.found ?? 0),
              review: formatNumber(totals.to_review ?? 0),
              notFound: formatNumber(totals.not_found ?? 0),
              errors: formatNumber(totals.error ?? 0),
              rate: formatNumber(rate, 1),
            })}
      </p>
      <div ref={box} aria-hidden="true" />
    </figure>
  );
}
