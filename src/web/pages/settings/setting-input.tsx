import { t } from '../../i18n/i18n.js';

/** A setting as `GET /api/v1/amazon/config` shows it. */
export interface Setting {
  value?: string | number | boolean | null;
  source?: 'default' | 'env' | 'stored';
  secret?: boolean;
  set?: boolean;
}
type Value = string | number | boolean | null;

/**
 * One setting: its value (a secret's never: the field is empty and typing replaces it), where it
 * comes from, and "use the default" for a stored value. `edit` undefined means unchanged.
 */
export function SettingInput(props: {
  name: string;
  label: string;
  setting: Setting;
  edit: Value | undefined;
  onEdit: (value: Value | undefined) => void;
}) {
  const { name, label, setting, edit, onEdit } = props;
  const id = `setting-${name}`;
  const source = t(`settings.source.${setting.source ?? 'default'}`);
  const isBoolean = typeof setting.value === 'boolean' || name === 'enabled';
  const isNumber =
    typeof setting.value === 'number' || ['tps', 'burst', 'tpd', 'timeout_ms'].includes(name);
  const shown = edit === undefined ? setting.value : edit;
  const fromText = (text: string): Value | undefined => {
    if (text === '') return setting.secret ? undefined : null;
    return isNumber ? Number(text) : text;
  };
  return (
    <div class="setting">
      <label for={id}>{label}</label>
      {isBoolean ? (
        <input
          id={id}
          type="checkbox"
          checked={shown === true}
          onChange={(e) => onEdit(e.currentTarget.checked)}
        />
      ) : (
        <input
          id={id}
          type={(setting.secret ? 'password' : isNumber ? 'number' : 'text') as 'text'}
          autocomplete={setting.secret ? 'new-password' : 'off'}
          value={setting.secret ? ((edit as string | undefined) ?? '') : (shown ?? '').toString()}
          placeholder={
            setting.secret ? t(setting.set ? 'settings.secretSet' : 'settings.secretUnset') : ''
          }
          onInput={(e) => onEdit(fromText(e.currentTarget.value))}
        />
      )}
      <span class="muted">
        {setting.secret && `${t(setting.set ? 'settings.secretSet' : 'settings.secretUnset')} · `}
        {source}
        {edit !== undefined && ` · ${t('settings.changed')}`}
      </span>
      {setting.source === 'stored' && edit === undefined && (
        <button
          type="button"
          onClick={() => onEdit(null)}
          aria-label={t('settings.resetFor', { name: label })}
        >
          {t('settings.reset')}
        </button>
      )}
    </div>
  );
}
