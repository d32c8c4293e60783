import { useState } from 'preact/hooks';
import { api, errorOf, type ApiError } from '../../api/client.js';
import { t } from '../../i18n/i18n.js';

/** Adds a rule: code, ASIN, always or never, a marketplace or all of them, a note. */
export function RuleForm(props: { onAdded: () => void; onError: (e: ApiError) => void }) {
  const [code, setCode] = useState('');
  const [asin, setAsin] = useState('');
  const [rule, setRule] = useState<'always' | 'never'>('always');
  const [marketplace, setMarketplace] = useState('*');
  const [note, setNote] = useState('');
  const submit = async (e: Event) => {
    e.preventDefault();
    const res = await api.POST('/api/v1/code2asin/rules', {
      body: { code, asin, rule, marketplace, ...(note.trim() ? { note: note.trim() } : {}) },
    });
    if (res.error) return props.onError(errorOf(res.error));
    setCode('');
    setAsin('');
    setNote('');
    props.onAdded();
  };
  return (
    <form class="filters rule-form" onSubmit={(e) => void submit(e)}>
      <strong>{t('rules.add')}</strong>
      <label>
        {t('result.code')}{' '}
        <input
          required
          maxLength={40}
          value={code}
          onInput={(e) => setCode(e.currentTarget.value)}
        />
      </label>
      <label>
        {t('result.asin')}{' '}
        <input
          required
          maxLength={20}
          value={asin}
          onInput={(e) => setAsin(e.currentTarget.value)}
        />
      </label>
      <label>
        {t('rules.kind')}{' '}
        <select value={rule} onChange={(e) => setRule(e.currentTarget.value as 'always' | 'never')}>
          <option value="always">{t('rules.rule.always')}</option>
          <option value="never">{t('rules.rule.never')}</option>
        </select>
      </label>
      <label>
        {t('review.filter.marketplace')}{' '}
        <input
          value={marketplace}
          maxLength={40}
          list="rule-marketplaces"
          onInput={(e) => setMarketplace(e.currentTarget.value)}
        />
        <datalist id="rule-marketplaces">
          <option value="*">{t('rules.everyMarketplace')}</option>
          {['fr', 'de', 'it', 'es', 'gb', 'nl', 'be', 'us'].map((m) => (
            <option key={m} value={m} />
          ))}
        </datalist>
      </label>
      <label>
        {t('rules.note')}{' '}
        <input maxLength={500} value={note} onInput={(e) => setNote(e.currentTarget.value)} />
      </label>
      <button type="submit" class="primary">
        {t('rules.addButton')}
      </button>
    </form>
  );
}
