import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { settingField, validateSettingsUpdate } from '../../config/amazon-setting-fields.js';
import {
  loadAmazonSettings,
  overlaySettings,
  type EffectiveAmazonSettings,
} from '../../config/effective-amazon-settings.js';
import type { Config } from '../../config/env.js';
import { writeProviderSettings, type SecretKeys } from '../../config/provider-settings.js';
import type { DB } from '../../db/schema.js';
import { ERROR_REF } from '../http-error.js';
import type { AmazonClients } from '../../amazon/amazon-clients.js';
import {
  CONFIG_RESPONSE_SCHEMA,
  SETTINGS_UPDATE_SCHEMA,
  TEST_RESPONSE_SCHEMA,
} from './amazon-schemas.js';
import { configView } from './config-view.js';
import { testConnection } from './test-connection.js';
import { requireOwnSecretForNewUrls } from '../../config/test-secrets.js';

/** What the Amazon routes need. */
export interface AmazonRouteDeps {
  db: Kysely<DB>;
  /** The environment's settings and which variables were set (for `source`). */
  config: Pick<Config, 'amazon' | 'fromEnvironment'>;
  keys: SecretKeys;
  clients: AmazonClients;
  /** The clock of the quota dashboard (tests). */
  now?: () => number;
}

/** The effective settings: defaults < environment < stored. */
export function loadSettings(deps: AmazonRouteDeps): Promise<EffectiveAmazonSettings> {
  return loadAmazonSettings(deps.db, deps.config, deps.keys);
}

const TAGS = ['amazon'];

/** `GET /config`, `PUT /config` (admin), `POST /test` (admin). */
export async function registerConfigRoutes(
  app: FastifyInstance,
  deps: AmazonRouteDeps,
): Promise<void> {
  app.get(
    '/config',
    {
      schema: {
        tags: TAGS,
        summary:
          'Current Amazon settings with the source of each value; secrets only as set or not set',
        response: { 200: CONFIG_RESPONSE_SCHEMA, 500: ERROR_REF },
      },
    },
    async () => configView(await loadSettings(deps)),
  );

  app.put<{ Body: Record<string, unknown> }>(
    '/config',
    {
      config: { scope: 'admin' },
      schema: {
        tags: TAGS,
        summary: 'Store Amazon settings (partial; null removes a stored value)',
        description:
          'Stored values take precedence over the environment. Secrets are stored encrypted (AES-256-GCM under CODE2ASIN_SECRET_KEY) and never shown again.',
        body: SETTINGS_UPDATE_SCHEMA,
        response: { 200: CONFIG_RESPONSE_SCHEMA, 400: ERROR_REF },
      },
    },
    async (request) => {
      const update = validateSettingsUpdate(request.body ?? {});
      await writeProviderSettings(deps.db, 'amazon', update, {
        keys: deps.keys,
        isSecret: (key) => settingField(key)?.secret ?? false,
      });
      request.log.info({ keys: [...update.keys()] }, 'Amazon settings updated');
      return configView(await loadSettings(deps));
    },
  );

  app.post<{ Body: Record<string, unknown> | undefined }>(
    '/test',
    {
      config: { scope: 'admin' },
      // The body is optional: no body tests the current settings as they are.
      preValidation: async (request) => {
        request.body ??= {};
      },
      schema: {
        tags: TAGS,
        summary: 'Test the current settings, or the current ones with changes laid over them',
        description:
          'One cheap call (the token request and one search: searchItems, or for SP-API a searchCatalogItems by one EAN). The body, optional, is laid over the current settings without storing them. A body that changes a URL (creators_api_url, creators_token_url, paapi_host, paapi_endpoint, spapi_endpoint, spapi_token_url) must bring the secret(s) sent there (400 secret_required otherwise): configured secrets only go to configured URLs. Answers ok, or the problem in plain words.',
        body: SETTINGS_UPDATE_SCHEMA,
        response: { 200: TEST_RESPONSE_SCHEMA, 400: ERROR_REF },
      },
    },
    async (request) => {
      const current = await loadSettings(deps);
      const update = validateSettingsUpdate(request.body ?? {});
      requireOwnSecretForNewUrls(current, update);
      const effective = update.size > 0 ? overlaySettings(current, deps.config, update) : current;
      return testConnection(effective.settings, deps.clients);
    },
  );
}
