import type { Operation } from '../caller.js';
import { postJson, type FetchFn } from '../http.js';
import type { Marketplace } from '../marketplaces.js';
import type { Transport } from '../provider-core.js';
import { toPascalResource } from '../resources.js';
import { PAAPI_SERVICE, signRequest } from './signer.js';

export interface PaapiTransportOptions {
  marketplace: Marketplace;
  partnerTag: string;
  accessKey: string;
  secretKey: string;
  /** Defaults to the marketplace's host. */
  host?: string | undefined;
  /** Defaults to the marketplace's signing region. */
  region?: string | undefined;
  /** Base URL override (`AMAZON_PAAPI_ENDPOINT`, the emulator); else `https://{host}`. */
  endpoint?: string | undefined;
  timeoutMs: number;
  fetch?: FetchFn;
}

const TARGET_PREFIX = 'com.amazon.paapi5.v1.ProductAdvertisingAPIv1.';
/** PA-API refuses signatures more than 5 minutes off the server clock. */
const RESIGN_AFTER_MS = 4 * 60_000;

/** `searchItems` body keys → PascalCase (`asin` → `ASIN`), resources capitalised. */
export function toPaapiBody(
  body: Record<string, unknown>,
  marketplace: Marketplace,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(body)) {
    const key = k === 'asin' ? 'ASIN' : k.charAt(0).toUpperCase() + k.slice(1);
    out[key] =
      k === 'resources' && Array.isArray(v) ? v.map((r) => toPascalResource(String(r))) : v;
  }
  out.PartnerType = 'Associates';
  out.Marketplace = marketplace.domain;
  return out;
}

function operationName(op: Operation): string {
  return op.charAt(0).toUpperCase() + op.slice(1);
}

/**
 * PA-API 5.0 wire protocol: `POST {endpoint}/paapi5/{operation}` with PascalCase JSON, signed
 * with SigV4 (service ProductAdvertisingAPI), `x-amz-target` and `content-encoding: amz-1.0`.
 * Only OffersV2 resources are requested (Offers V1 is retired).
 */
export function createPaapiTransport(o: PaapiTransportOptions): Transport {
  const fetchFn = o.fetch ?? fetch;
  const host = o.host ?? o.marketplace.paapiHost;
  const base = (o.endpoint ?? `https://${host}`).replace(/\/+$/, '');
  const region = o.region ?? o.marketplace.paapiRegion;
  return {
    name: 'paapi',
    marketplace: o.marketplace,
    partnerTag: o.partnerTag,
    async send(op, body, slot, signal) {
      const url = `${base}/paapi5/${op.toLowerCase()}`;
      const payload = JSON.stringify(toPaapiBody(body, o.marketplace));
      const sign = (): Promise<Record<string, string>> =>
        signRequest({
          method: 'POST',
          url,
          headers: {
            'content-encoding': 'amz-1.0',
            'content-type': 'application/json; charset=utf-8',
            'x-amz-target': TARGET_PREFIX + operationName(op),
          },
          body: payload,
          accessKey: o.accessKey,
          secretKey: o.secretKey,
          region,
          service: PAAPI_SERVICE,
        });
      // Signed before the slot, so that signing time (and its jitter) is not between the slot
      // and the server. Re-signed if the wait came near the 5-minute clock-skew limit.
      const signedAt = Date.now();
      let signed = await sign();
      await slot();
      if (Date.now() - signedAt > RESIGN_AFTER_MS) signed = await sign();
      // fetch derives Host from the URL, exactly the value that was signed.
      const { host: _host, ...headers } = signed;
      return postJson({
        provider: 'paapi',
        url,
        headers,
        body: payload,
        timeoutMs: o.timeoutMs,
        signal,
        fetch: fetchFn,
        secrets: [o.secretKey],
        what: `PA-API ${operationName(op)}`,
      });
    },
  };
}
