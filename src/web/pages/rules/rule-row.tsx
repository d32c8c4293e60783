import { useState } from 'preact/hooks';
import { api, errorOf, type ApiError } from '../../api/client.js';
import { ConfirmDialog } from '../../components/confirm-dialog.js';
import { formatDate, t } from '../../i18n/i18n.js';

export interface Rule {
  id?: number;
  gtin?: string;
  asin?: string;
  rule?: 'always' | 'never';
  marketplace?: string;
  note?: string | null;
  created_at?: string;
}

/** One rule: flip always ↔ never, edit its note, delete it (confirmed). */
export function RuleRow(props: {
  rule: Rule;
  canWrite: boolean;
  canDelete: boolean;
  onChanged: () => void;
  onError: (e: ApiError) => void;
}) {
  const { rule, canWrite, canDelete } = props;
  const [note, setNote] = useState(rule.note ?? '');
  const [confirm, setConfirm] = useState(false);
  const id = rule.id ?? 0;
  const patch = async (body: { rule?: 'always' | 'never'; note?: string | null }) => {
    const res = await api.PATCH('/api/v1/code2asin/rules/{ruleId}', {
      params: { path: { ruleId: id } },
      body,
    });
    if (res.error) props.onError(errorOf(res.error));
    else props.onChanged();
  };
  const remove = async () => {
    setConfirm(false);
    const res = await api.DELETE('/api/v1/code2asin/rules/{ruleId}', {
      params: { path: { ruleId: id } },
    });
    if (res.error) props.onError(errorOf(res.error));
    else props.onChanged();
  };
  const other = rule.rule === 'always' ? 'never' : 'always';
  return (
    <tr>
      <td>
        <code>{rule.gtin}</code>
      </td>
      <td>
        <code>{rule.asin}</code>
      </td>
      <td>
        <span class={`badge ${rule.rule === 'always' ? 'exact' : 'failed'}`}>
          {t(`rules.rule.${rule.rule ?? 'always'}`)}
        </span>
      </td>
      <td>{rule.marketplace === '*' ? t('rules.everyMarketplace') : rule.marketplace}</td>
      <td>
        {canWrite ? (
          <form
            class="inline"
            onSubmit={(e) => {
              e.preventDefault();
              void patch({ note: note.trim() || null });
            }}
          >
            <input
              value={note}
              maxLength={500}
              aria-label={t('rules.noteFor', { code: rule.gtin ?? '' })}
              onInput={(e) => setNote(e.currentTarget.value)}
            />
            {note !== (rule.note ?? '') && <button type="submit">{t('rules.save')}</button>}
          </form>
        ) : (
          (rule.note ?? '')
        )}
      </td>
      <td>{formatDate(rule.created_at)}</td>
      <td class="actions">
        {canWrite && (
          <button
            type="button"
            onClick={() => void patch({ rule: other })}
            aria-label={t('rules.makeFor', {
              rule: t(`rules.rule.${other}`),
              code: rule.gtin ?? '',
            })}
          >
            {t('rules.make', { rule: t(`rules.rule.${other}`) })}
          </button>
        )}
        {canDelete && (
          <button
            type="button"
            class="danger"
            onClick={() => setConfirm(true)}
            aria-label={t('rules.deleteFor', { code: rule.gtin ?? '' })}
          >
            {t('action.delete')}
          </button>
        )}
        <ConfirmDialog
          open={confirm}
          message={t('rules.confirmDelete', { code: rule.gtin ?? '', asin: rule.asin ?? '' })}
          onConfirm={() => void remove()}
          onCancel={() => setConfirm(false)}
        />
      </td>
    </tr>
  );
}
