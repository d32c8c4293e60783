import type { ApiError } from '../api/client.js';
import { t } from '../i18n/i18n.js';

/** An API error as its message (what to do is in it), with a retry when one makes sense. */
export function ErrorBanner({ error, onRetry }: { error: ApiError | null; onRetry?: () => void }) {
  if (!error) return null;
  return (
    <div class="error" role="alert">
      <strong>{t('error.title')}</strong> <span>{error.message}</span>
      {onRetry && (
        <button type="button" onClick={onRetry}>
          {t('error.retry')}
        </button>
      )}
    </div>
  );
}
