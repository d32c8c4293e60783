import { useRef, useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { api, errorOf, unwrap, type ApiError, type JobDetail } from '../../api/client.js';
import { ErrorBanner } from '../../components/error-banner.js';
import { formatNumber, t } from '../../i18n/i18n.js';
import { session } from '../../session.js';
import type { Detection } from './detection.js';
import { DetectionSummary, SampleRows, type InputRow } from './file-preview.js';
import { MarketplacePicker } from './marketplace-picker.js';
import { PreflightSummary, type Preflight } from './preflight-summary.js';
import { uploadJob, type UploadChoices } from './upload-job.js';

const ACCEPT = '.csv,.tsv,.txt,.xlsx';
const NO_CHOICES: UploadChoices = {
  name: '',
  supplierCode: '',
  marketplaces: [],
  column: '',
  sheet: '',
  refresh: false,
};

/**
 * New job: pick or drop a file → it is uploaded as a draft job (not started) → the preview
 * (detection, first rows, what each code became) and the pre-flight report, both the server's →
 * change the column, sheet, marketplaces or options (the draft is replaced and the preview
 * follows) → start now, or keep the draft to start later.
 */
export function NewJobPage() {
  const { route } = useLocation();
  const [file, setFile] = useState<File | null>(null);
  const [choices, setChoices] = useState<UploadChoices>(NO_CHOICES);
  const [draft, setDraft] = useState<JobDetail | null>(null);
  const [rows, setRows] = useState<InputRow[]>([]);
  const [sent, setSent] = useState<number | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [dragging, setDragging] = useState(false);
  const latest = useRef(0);
  const limit = session.value?.upload_limit_bytes;

  /** Replaces the draft by a new upload of `f` with `next` (a stale answer is dropped). */
  const preview = async (f: File, next: UploadChoices) => {
    const attempt = ++latest.current;
    setError(null);
    setSent(0);
    try {
      if (draft?.id)
        await api.DELETE('/api/v1/code2asin/jobs/{id}', { params: { path: { id: draft.id } } });
      setDraft(null);
      const job = await uploadJob(f, next, setSent);
      const page = unwrap(
        await api.GET('/api/v1/code2asin/jobs/{id}/rows', {
          params: { path: { id: job.id ?? '' }, query: { limit: 20 } },
        }),
      );
      if (attempt !== latest.current) return;
      setDraft(job);
      setRows(page.items ?? []);
      if (next.marketplaces.length === 0)
        setChoices({ ...next, marketplaces: job.marketplaces ?? [] });
    } catch (e) {
      if (attempt === latest.current) setError(errorOf(e));
    } finally {
      if (attempt === latest.current) setSent(null);
    }
  };
  const pick = (f: File | undefined) => {
    if (!f) return;
    setFile(f);
    const next = { ...choices, column: '', sheet: '', name: choices.name || stem(f.name) };
    setChoices(next);
    void preview(f, next);
  };
  const change = (changes: Partial<UploadChoices>) => {
    const next = { ...choices, ...changes };
    setChoices(next);
    if (file) void preview(file, next);
  };
  const start = async (now: boolean) => {
    if (!draft?.id) return;
    if (now) {
      const res = await api.POST('/api/v1/code2asin/jobs/{id}/start', {
        params: { path: { id: draft.id } },
      });
      if (res.error) return setError(errorOf(res.error));
    }
    route(`/jobs/${draft.id}`);
  };
  const discard = async () => {
    if (draft?.id)
      await api.DELETE('/api/v1/code2asin/jobs/{id}', { params: { path: { id: draft.id } } });
    latest.current += 1;
    setDraft(null);
    setFile(null);
    setRows([]);
    setChoices(NO_CHOICES);
  };

  const detection = (draft?.preflight as { detection?: Detection } | null)?.detection ?? null;
  const busy = sent !== null;
  return (
    <section>
      <h1>{t('newJob.title')}</h1>
      <label
        class={`dropzone${dragging ? ' over' : ''}`}
        onDragOver={(e) => {
          e.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={(e) => {
          e.preventDefault();
          setDragging(false);
          pick(e.dataTransfer?.files[0]);
        }}
      >
        <span>{t('newJob.file')}</span>
        <input type="file" accept={ACCEPT} onChange={(e) => pick(e.currentTarget.files?.[0])} />
        <span class="muted">
          {t('newJob.fileHelp')}
          {limit ? ` ${t('newJob.limit', { size: formatNumber(limit / 1024 / 1024) })}` : ''}
        </span>
      </label>
      {busy && (
        <p>
          <progress max={1} value={sent ?? 0} aria-label={t('newJob.uploading')} />{' '}
          {t('newJob.uploading')} {formatNumber((sent ?? 0) * 100)} %
        </p>
      )}
      <ErrorBanner error={error} onRetry={file ? () => void preview(file, choices) : undefined} />
      {file && (
        <form class="job-options" onSubmit={(e) => e.preventDefault()}>
          <label>
            {t('newJob.name')}{' '}
            <input value={choices.name} onChange={(e) => change({ name: e.currentTarget.value })} />
          </label>
          <label>
            {t('newJob.supplier')}{' '}
            <input
              value={choices.supplierCode}
              onChange={(e) => change({ supplierCode: e.currentTarget.value })}
            />
          </label>
          {detection?.columnNames && (
            <label>
              {t('newJob.codeColumn')}{' '}
              <select
                value={choices.column || (detection.columns?.code?.header ?? '')}
                disabled={busy}
                onChange={(e) => change({ column: e.currentTarget.value })}
              >
                {detection.columnNames.map((name, i) => (
                  <option key={name} value={detection.hasHeader ? name : String(i + 1)}>
                    {name}
                  </option>
                ))}
              </select>
            </label>
          )}
          {(detection?.sheet?.sheetNames?.length ?? 0) > 1 && (
            <label>
              {t('preview.sheet')}{' '}
              <select
                value={choices.sheet || (detection?.sheet?.sheet ?? '')}
                disabled={busy}
                onChange={(e) => change({ sheet: e.currentTarget.value, column: '' })}
              >
                {detection?.sheet?.sheetNames?.map((name) => (
                  <option key={name} value={name}>
                    {name}
                  </option>
                ))}
              </select>
            </label>
          )}
          <label>
            <input
              type="checkbox"
              checked={choices.refresh}
              disabled={busy}
              onChange={(e) => change({ refresh: e.currentTarget.checked })}
            />{' '}
            {t('newJob.refresh')}
          </label>
          <MarketplacePicker
            value={choices.marketplaces}
            disabled={busy}
            onChange={(marketplaces) => change({ marketplaces })}
          />
        </form>
      )}
      {draft && detection && (
        <>
          <h2>{t('preview.title', { file: draft.source_file_name ?? '' })}</h2>
          <DetectionSummary detection={detection} />
          <SampleRows rows={rows} detection={detection} />
          <PreflightSummary report={draft.preflight as Preflight} />
          <div class="actions">
            <button type="button" class="primary" disabled={busy} onClick={() => void start(true)}>
              {t('newJob.start')}
            </button>
            <button type="button" disabled={busy} onClick={() => void start(false)}>
              {t('newJob.later')}
            </button>
            <button type="button" class="danger" disabled={busy} onClick={() => void discard()}>
              {t('newJob.discard')}
            </button>
          </div>
        </>
      )}
    </section>
  );
}

function stem(fileName: string): string {
  return fileName.replace(/\.[^.]+$/, '');
}
