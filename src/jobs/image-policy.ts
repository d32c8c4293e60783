import type { AmazonSettings } from '../amazon/provider.js';
import type { OutboundPolicy } from '../net/outbound-guard.js';

/**
 * Hosts of Amazon's product-image CDN, as the Creators API, PA-API 5.0 and SP-API answers name
 * them (`m.media-amazon.com` today; the `*.ssl-images-amazon.com` hosts in older answers).
 */
export const AMAZON_IMAGE_HOSTS: readonly string[] = Object.freeze([
  'm.media-amazon.com',
  'images-na.ssl-images-amazon.com',
  'images-eu.ssl-images-amazon.com',
  'images-fe.ssl-images-amazon.com',
]);

/** The endpoints of the configured provider (the environment's or the stored settings). */
export interface ConfiguredEndpoints {
  creators: Pick<AmazonSettings['creators'], 'apiUrl'>;
  paapi: Pick<AmazonSettings['paapi'], 'endpoint'>;
  spapi?: Pick<AmazonSettings['spapi'], 'endpoint'>;
}

/**
 * What an image URL from a provider's answer may reach: Amazon's image hosts (public addresses
 * only), or the origin of the configured endpoint (the emulator, on loopback in a demo). An
 * answer is data from outside; it must not make the service fetch anything else.
 */
export function imagePolicy(settings?: ConfiguredEndpoints): OutboundPolicy {
  const origins = [settings?.creators.apiUrl, settings?.paapi.endpoint, settings?.spapi?.endpoint]
    .filter((u): u is string => typeof u === 'string')
    .flatMap((u) => {
      try {
        return [new URL(u).origin];
      } catch {
        return [];
      }
    });
  return { purpose: 'image URL', allowedHosts: AMAZON_IMAGE_HOSTS, trustedOrigins: origins };
}
