import { Fragment } from 'preact';
import { hasMessage, t } from '../../i18n/i18n.js';
import { delimiterName, ROLES, type Detection } from './detection.js';

/** One input row as `GET /jobs/{id}/rows` gives it. */
export interface InputRow {
  row?: number;
  raw_code?: string | null;
  code?: string | null;
  code_type?: string | null;
  valid?: boolean;
  reason?: string | null;
  flags?: string[];
  cells?: (string | null)[];
}

function message(prefix: 'invalid' | 'flag', code: string): string {
  const key = `${prefix}.${code}`;
  return hasMessage(key) ? t(key) : code;
}

/** What the code of a row became, in words: invalid with why, or what was repaired. */
function verdict(row: InputRow): string {
  if (!row.valid) return `${t('preview.invalid')}: ${message('invalid', row.reason ?? 'empty')}`;
  const notes = (row.flags ?? []).map((f) => message('flag', f));
  return [t('preview.valid'), ...notes].join(' · ');
}

/** The file as detected: format, encoding, delimiter, sheet, header, the role of each column. */
export function DetectionSummary({ detection }: { detection: Detection }) {
  const columns = detection.columns ?? {};
  return (
    <dl class="detection">
      <dt>{t('preview.format')}</dt>
      <dd>{(detection.format ?? '—').toUpperCase()}</dd>
      {detection.text && (
        <>
          <dt>{t('preview.encoding')}</dt>
          <dd>{detection.text.encoding ?? '—'}</dd>
          <dt>{t('preview.delimiter')}</dt>
          <dd>{delimiterName(detection.text.delimiter)}</dd>
        </>
      )}
      {detection.sheet && (
        <>
          <dt>{t('preview.sheet')}</dt>
          <dd>{detection.sheet.sheet ?? '—'}</dd>
        </>
      )}
      <dt>{t('preview.header')}</dt>
      <dd>{detection.hasHeader ? t('preview.yes') : t('preview.no')}</dd>
      {ROLES.map((role) => {
        const c = columns[role];
        return (
          <Fragment key={role}>
            <dt>{t(`preview.role.${role}`)}</dt>
            <dd>
              {c ? `${c.letter} — ${c.header ?? detection.columnNames?.[c.index] ?? ''}` : '—'}
              {c && role === 'code' && <span class="muted"> ({c.reason})</span>}
            </dd>
          </Fragment>
        );
      })}
    </dl>
  );
}

/** The first rows of the file and what each code became. */
export function SampleRows({ rows, detection }: { rows: InputRow[]; detection: Detection }) {
  const title = detection.columns?.title?.index;
  const brand = detection.columns?.brand?.index;
  return (
    <table class="sample">
      <caption>{t('preview.sample', { count: rows.length })}</caption>
      <thead>
        <tr>
          <th scope="col">{t('preview.line')}</th>
          <th scope="col">{t('preview.asInFile')}</th>
          <th scope="col">{t('preview.became')}</th>
          <th scope="col">{t('preview.type')}</th>
          <th scope="col">{t('preview.check')}</th>
          <th scope="col">{t('preview.role.title')}</th>
          <th scope="col">{t('preview.role.brand')}</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.row} class={r.valid ? '' : 'invalid'}>
            <td>{r.row}</td>
            <td>
              <code>{r.raw_code ?? ''}</code>
            </td>
            <td>
              <code>{r.code ?? '—'}</code>
            </td>
            <td>{r.code_type ?? '—'}</td>
            <td>{verdict(r)}</td>
            <td>{title === undefined ? '' : (r.cells?.[title] ?? '')}</td>
            <td>{brand === undefined ? '' : (r.cells?.[brand] ?? '')}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
