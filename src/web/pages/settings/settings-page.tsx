import { useEffect, useState } from 'preact/hooks';
import { api, errorOf, unwrap, type ApiError } from '../../api/client.js';
import { ErrorBanner } from '../../components/error-banner.js';
import { QuotaPanel } from '../../components/quota-panel.js';
import { formatDate, formatNumber, hasMessage, t } from '../../i18n/i18n.js';
import { SettingInput, type Setting } from './setting-input.js';

type Config = {
  provider?: string;
  marketplace?: string;
  updated_at?: string | null;
  settings?: Record<string, Setting>;
};
type TestAnswer = {
  ok?: boolean;
  latency_ms?: number;
  problem?: { message?: string };
};

/**
 * Amazon provider settings (admin): every setting with its source (environment, stored, default);
 * secrets are write-only, shown as set or not set; only the fields changed are sent. Test
 * connection answers in plain words.
 */
export function SettingsPage() {
  const [config, setConfig] = useState<Config | null>(null);
  const [edits, setEdits] = useState<Record<string, string | number | boolean | null>>({});
  const [error, setError] = useState<ApiError | null>(null);
  const [notice, setNotice] = useState('');
  const [test, setTest] = useState<TestAnswer | null>(null);
  const [testing, setTesting] = useState(false);
  const load = async () => {
    try {
      setConfig(unwrap(await api.GET('/api/v1/amazon/config')) as Config);
    } catch (e) {
      setError(errorOf(e));
    }
  };
  useEffect(() => void load(), []);
  const save = async (e: Event) => {
    e.preventDefault();
    const res = await api.PUT('/api/v1/amazon/config', { body: edits as never });
    if (res.error) return setError(errorOf(res.error));
    setConfig(res.data as Config);
    setEdits({});
    setError(null);
    setNotice(t('settings.saved'));
  };
  const runTest = async () => {
    setTesting(true);
    setTest(null);
    const res = await api.POST('/api/v1/amazon/test', { body: {} });
    setTesting(false);
    if (res.error) return setError(errorOf(res.error));
    setTest(res.data as TestAnswer);
  };
  if (!config) return <ErrorBanner error={error} onRetry={() => void load()} />;
  const changed = Object.keys(edits).length;
  return (
    <section>
      <h1>{t('settings.title')}</h1>
      <p class="muted">
        {t('settings.intro')}{' '}
        {config.updated_at && t('settings.updated', { date: formatDate(config.updated_at) })}
      </p>
      <ErrorBanner error={error} />
      {notice && (
        <p role="status" class="muted">
          {notice}
        </p>
      )}
      <form class="settings" onSubmit={(e) => void save(e)}>
        {Object.entries(config.settings ?? {}).map(([key, setting]) => {
          const label = hasMessage(`setting.${key}`) ? t(`setting.${key}` as never) : key;
          return (
            <SettingInput
              key={key}
              name={key}
              label={label}
              setting={setting}
              edit={edits[key]}
              onEdit={(value) => {
                setNotice('');
                const next = { ...edits };
                if (value === undefined) delete next[key];
                else next[key] = value;
                setEdits(next);
              }}
            />
          );
        })}
        <div class="actions">
          <button type="submit" class="primary" disabled={changed === 0}>
            {t('settings.save', { count: changed })}
          </button>
          <button type="button" disabled={testing} onClick={() => void runTest()}>
            {t('settings.test')}
          </button>
        </div>
      </form>
      {test && (
        <p role="status" class={test.ok ? 'ok' : 'error'}>
          {test.ok
            ? t('settings.testOk', { ms: formatNumber(test.latency_ms ?? 0) })
            : t('settings.testFailed', { message: test.problem?.message ?? '' })}
        </p>
      )}
      <QuotaPanel />
      <p>
        <a href="/tokens">{t('nav.tokens')}</a>
      </p>
    </section>
  );
}
