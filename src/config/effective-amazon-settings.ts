import type { Kysely } from 'kysely';
import type { AmazonSettings } from '../amazon/provider.js';
import type { DB } from '../db/schema.js';
import {
  AMAZON_SETTING_FIELDS,
  defaultSettingValue,
  parseSettingValue,
  settingField,
  toAmazonSettings,
  type SettingValue,
} from './amazon-setting-fields.js';
import type { Config } from './env.js';
import { readProviderSettings, type SecretKeys, type StoredSetting } from './provider-settings.js';
import { SettingsError } from './settings-error.js';

/** Where an effective value comes from; later sources win: default < env < stored. */
export type SettingSource = 'default' | 'env' | 'stored';

/** One effective setting. `value` is undefined when nothing sets it. */
export interface EffectiveSetting {
  value: SettingValue | undefined;
  source: SettingSource;
  secret: boolean;
}

/** The settings the Amazon client uses, and where each came from. */
export interface EffectiveAmazonSettings {
  settings: AmazonSettings;
  fields: ReadonlyMap<string, EffectiveSetting>;
  /** Latest `updated_at` of the stored values, null when nothing is stored. */
  updatedAt: string | null;
}

/** Reads the stored Amazon settings and merges them over the environment and the defaults. */
export async function loadAmazonSettings(
  db: Kysely<DB>,
  config: Pick<Config, 'amazon' | 'fromEnvironment'>,
  keys: SecretKeys,
): Promise<EffectiveAmazonSettings> {
  const stored = await readProviderSettings(db, 'amazon', keys);
  return mergeAmazonSettings(config, stored);
}

/** defaults < environment < stored, field by field. */
export function mergeAmazonSettings(
  config: Pick<Config, 'amazon' | 'fromEnvironment'>,
  stored: ReadonlyMap<string, StoredSetting>,
): EffectiveAmazonSettings {
  const fromEnv = new Set(config.fromEnvironment);
  const fields = new Map<string, EffectiveSetting>();
  let updatedAt: string | null = null;
  for (const f of AMAZON_SETTING_FIELDS) {
    const row = stored.get(f.key);
    if (row) {
      const parsed = parseSettingValue(f, row.value);
      if (!parsed.ok) {
        throw new SettingsError(
          'invalid_settings',
          `The stored Amazon setting "${f.key}" ${parsed.problem}: store a valid value or remove it with PUT /api/v1/amazon/config {"${f.key}": null}.`,
          { problems: [{ field: f.key, problem: parsed.problem }] },
        );
      }
      fields.set(f.key, { value: parsed.value, source: 'stored', secret: f.secret });
      if (updatedAt === null || row.updatedAt > updatedAt) updatedAt = row.updatedAt;
    } else if (fromEnv.has(f.variable)) {
      fields.set(f.key, { value: f.fromConfig(config.amazon), source: 'env', secret: f.secret });
    } else {
      fields.set(f.key, { value: defaultSettingValue(f), source: 'default', secret: f.secret });
    }
  }
  return { settings: settingsOf(fields), fields, updatedAt };
}

/**
 * The effective settings with a validated update laid over them, without storing it (to test
 * settings before saving them). A null in the update falls back to the environment or default.
 */
export function overlaySettings(
  base: EffectiveAmazonSettings,
  config: Pick<Config, 'amazon' | 'fromEnvironment'>,
  update: ReadonlyMap<string, string | null>,
): EffectiveAmazonSettings {
  const stored = new Map<string, StoredSetting>();
  for (const [key, f] of base.fields) {
    if (f.source === 'stored' && f.value !== undefined) {
      stored.set(key, {
        value: String(f.value),
        secret: f.secret,
        updatedAt: base.updatedAt ?? '',
      });
    }
  }
  for (const [key, value] of update) {
    if (value === null) stored.delete(key);
    else stored.set(key, { value, secret: settingField(key)?.secret ?? false, updatedAt: '' });
  }
  return mergeAmazonSettings(config, stored);
}

function settingsOf(fields: ReadonlyMap<string, EffectiveSetting>): AmazonSettings {
  const values = new Map<string, SettingValue | undefined>();
  for (const [key, f] of fields) values.set(key, f.value);
  return toAmazonSettings(values);
}
