import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { classifyAddress } from './public-address.js';
import { OutboundError } from './outbound-error.js';

/** Resolves a host name to its addresses (DNS by default; tests inject their own). */
export type Resolver = (
  hostname: string,
) => Promise<readonly { address: string; family: number }[]>;

/** What a request to a URL the service did not configure may reach. */
export interface OutboundPolicy {
  /** What the URL is for, in messages: `webhook URL`, `image URL`. */
  purpose: string;
  /** When set, the URL's host must be one of these names (or its origin a trusted one). */
  allowedHosts?: readonly string[];
  /** Origins the operator configured (the emulator as endpoint): any address is allowed there. */
  trustedOrigins?: readonly string[];
  /** Let non-public addresses through (a receiver on the same host, tests). */
  allowPrivate?: boolean;
  /** Appended to a refusal of a non-public address: how to allow it, when that is possible. */
  privateHint?: string;
}

/** A URL that passed the checks, and the one address every connection for it will use. */
export interface CheckedTarget {
  url: URL;
  protocol: 'http:' | 'https:';
  /** The URL's host without IPv6 brackets (the TLS name). */
  hostname: string;
  port: number;
  /** The checked address: connections go here, never to a second lookup's answer. */
  address: string;
  family: 4 | 6;
}

/** The resolver of the guard: the system's, every address (IPv4 and IPv6) in its order. */
export const systemResolver: Resolver = (hostname) =>
  lookup(hostname, { all: true, verbatim: true });

/**
 * Checks a URL the service is about to request on someone else's word (a job's webhook, an image
 * URL from a provider's answer): http or https only, the host allowed by the policy, and the
 * name resolved once, every address public (see `classifyAddress`). The caller connects to the
 * returned `address`, so a DNS answer that changes between check and connect (rebinding) cannot
 * move the request to another host.
 */
export async function checkOutboundUrl(
  text: string,
  policy: OutboundPolicy,
  resolve: Resolver = systemResolver,
): Promise<CheckedTarget> {
  const url = parseUrl(text, policy);
  const hostname = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const trusted = policy.trustedOrigins?.includes(url.origin) ?? false;
  if (policy.allowedHosts && !trusted && !policy.allowedHosts.includes(hostname.replace(/\.$/, '')))
    throw new OutboundError(
      'host_not_allowed',
      `The ${policy.purpose} ${url.origin} is not on an allowed host (${policy.allowedHosts.join(', ')}); it was not requested.`,
      url.origin,
    );
  const addresses = await resolveHost(hostname, url, policy, resolve);
  if (!trusted && !policy.allowPrivate) {
    for (const { address } of addresses) {
      const verdict = classifyAddress(address);
      if (verdict.public) continue;
      const embedded = verdict.embedded ? `, which embeds ${verdict.embedded}` : '';
      throw new OutboundError(
        'address_not_public',
        `The ${policy.purpose} ${url.origin} points to ${address} (${verdict.range}${embedded}), not a public address; give a public http(s) URL${policy.privateHint ? ` ${policy.privateHint}` : ''}.`,
        url.origin,
      );
    }
  }
  const first = addresses[0] as { address: string; family: number };
  return {
    url,
    protocol: url.protocol as CheckedTarget['protocol'],
    hostname,
    port: url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80,
    address: first.address,
    family: first.family === 6 ? 6 : 4,
  };
}

function parseUrl(text: string, policy: OutboundPolicy): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new OutboundError(
      'invalid_url',
      `The ${policy.purpose} "${text.slice(0, 200)}" is not a URL; give an http(s) URL.`,
      null,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new OutboundError(
      'scheme_not_allowed',
      `The ${policy.purpose} uses ${url.protocol.replace(/:$/, '')}://; only http:// and https:// URLs are allowed.`,
      null,
    );
  }
  return url;
}

async function resolveHost(
  hostname: string,
  url: URL,
  policy: OutboundPolicy,
  resolve: Resolver,
): Promise<readonly { address: string; family: number }[]> {
  const literal = isIP(hostname);
  if (literal) return [{ address: hostname, family: literal }];
  let addresses: readonly { address: string; family: number }[] = [];
  try {
    addresses = await resolve(hostname);
  } catch (error) {
    throw new OutboundError(
      'name_not_resolved',
      `The host of the ${policy.purpose} ${url.origin} does not resolve; check the name.`,
      url.origin,
      { cause: error },
    );
  }
  if (addresses.length === 0) {
    throw new OutboundError(
      'name_not_resolved',
      `The host of the ${policy.purpose} ${url.origin} has no address; check the name.`,
      url.origin,
    );
  }
  return addresses;
}
