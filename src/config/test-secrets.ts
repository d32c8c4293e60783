import type { SettingsUpdate } from './amazon-setting-fields.js';
import type { EffectiveAmazonSettings } from './effective-amazon-settings.js';
import { SettingsError } from './settings-error.js';

/**
 * The secret each URL setting carries to its destination: the Creators secret goes to the token
 * URL and the access token it buys to the API URL; PA-API signs every request to its host or
 * endpoint with its secret key.
 */
const SECRET_SENT_TO: Readonly<Record<string, string | readonly string[]>> = Object.freeze({
  creators_api_url: 'creators_credential_secret',
  creators_token_url: 'creators_credential_secret',
  paapi_host: 'paapi_secret_key',
  paapi_endpoint: 'paapi_secret_key',
  // SP-API: the LWA endpoint gets both secrets; the API host the access token they buy.
  spapi_token_url: ['spapi_client_secret', 'spapi_refresh_token'],
  spapi_endpoint: ['spapi_client_secret', 'spapi_refresh_token'],
  keepa_api_url: 'keepa_key',
});

/**
 * A test (`POST /api/v1/amazon/test`) that points a URL somewhere new must bring the secret that
 * would go there: a stored or environment secret only ever goes to the stored, environment or
 * default URLs. Otherwise anyone allowed to test could read the credential from their own
 * listener. A URL set to its current value, or removed (back to the environment or default),
 * is not a change.
 */
export function requireOwnSecretForNewUrls(
  current: EffectiveAmazonSettings,
  update: SettingsUpdate,
): void {
  const problems: { field: string; problem: string }[] = [];
  for (const [urlKey, sent] of Object.entries(SECRET_SENT_TO)) {
    const next = update.get(urlKey);
    if (next === undefined || next === null) continue;
    const now = current.fields.get(urlKey)?.value;
    if (now !== undefined && String(now) === next) continue;
    for (const secretKey of typeof sent === 'string' ? [sent] : sent) {
      const own = update.get(secretKey);
      if (typeof own === 'string' && own !== '') continue;
      if (problems.some((p) => p.field === secretKey)) continue;
      problems.push({
        field: secretKey,
        problem: `is required in the test body because ${urlKey} changes: the configured secret is only sent to the configured URLs`,
      });
    }
  }
  if (problems.length === 0) return;
  const text = problems.map((p) => `${p.field} ${p.problem}`).join('; ');
  throw new SettingsError(
    'secret_required',
    `${text}. Add the secret to the test body, or store the URL first with PUT /api/v1/amazon/config.`,
    { problems },
  );
}
