import { AmazonError } from '../../amazon/errors.js';
import type { AmazonSettings } from '../../amazon/provider.js';
import { mapAmazonError, tokenEndpointView } from '../error-mapping.js';
import type { AmazonClients } from '../../amazon/amazon-clients.js';

/** Keywords of the test search: any answer (items or none) proves the credentials work. */
export const TEST_KEYWORDS = 'notebook';
/**
 * The code searched by providers that look codes up by identifier (SP-API's searchCatalogItems
 * takes no free text): a valid EAN-13, found or not, proves the credentials work.
 */
export const TEST_CODE = '4006381333931';

/** What `POST /test` answers. */
export interface ConnectionTestResult {
  ok: boolean;
  latency_ms: number;
  provider: string;
  marketplace: string;
  problem?: {
    code: string;
    reason: string | null;
    message: string;
    /** When the token request failed: what the token endpoint answered. */
    token_endpoint?: Record<string, unknown>;
  };
}

/**
 * Checks settings with one cheap call: the client is built (missing credentials and a credential
 * version that cannot serve the marketplace fail here, without a request), then one searchItems
 * (for the Creators API, after the token request). Never throws for an Amazon problem: it is
 * described in `problem`.
 */
export async function testConnection(
  settings: AmazonSettings,
  clients: AmazonClients,
): Promise<ConnectionTestResult> {
  const base = { provider: settings.provider, marketplace: settings.marketplace };
  const started = performance.now();
  const latency = () => Math.round(performance.now() - started);
  try {
    const client = clients.clientFor(settings);
    const signal = AbortSignal.timeout(Math.max(2 * settings.timeoutMs, 5_000));
    if (client.checkAccess) {
      await client.checkAccess({ signal });
      return { ok: true, latency_ms: latency(), ...base, marketplace: client.marketplace.domain };
    }
    const probe = client.batchKeyOf ? TEST_CODE : TEST_KEYWORDS;
    const outcomes = await client.searchByCodes([probe], { signal });
    const outcome = outcomes.get(probe);
    if (outcome?.status === 'error') throw outcome.error;
    return { ok: true, latency_ms: latency(), ...base, marketplace: client.marketplace.domain };
  } catch (error) {
    if (!(error instanceof AmazonError)) throw error;
    return { ok: false, latency_ms: latency(), ...base, problem: describeProblem(error) };
  }
}

const SUMMARY: Record<string, string> = {
  amazon_not_configured: 'The settings are incomplete.',
  amazon_auth: 'Amazon refused the credentials.',
  amazon_not_eligible: 'The Associates account is not eligible for the API yet.',
  amazon_api_rate_limit: 'Amazon throttled the test request; the credentials may be fine.',
  amazon_network: 'Amazon could not be reached.',
  amazon_invalid_data: 'Amazon refused the request as invalid.',
  amazon_not_found: 'Amazon answered that nothing was found; the credentials work.',
  amazon_unknown: 'Amazon failed unexpectedly.',
};

function describeProblem(error: AmazonError): NonNullable<ConnectionTestResult['problem']> {
  const mapped = mapAmazonError(error);
  const summary =
    error.reason === 'VersionMismatch'
      ? 'The credential version does not fit the region of the marketplace.'
      : (SUMMARY[mapped.code] ?? 'The test failed.');
  const problem: NonNullable<ConnectionTestResult['problem']> = {
    code: mapped.code,
    reason: error.reason,
    message: `${summary} ${error.message}`,
  };
  if (error.tokenEndpoint) problem.token_endpoint = tokenEndpointView(error.tokenEndpoint);
  return problem;
}
