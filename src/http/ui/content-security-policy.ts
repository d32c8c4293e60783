import type { Config } from '../../config/env.js';

/** Hosts Amazon serves product images from (the only external content the UI shows). */
export const AMAZON_IMAGE_HOSTS = [
  'https://m.media-amazon.com',
  'https://images-na.ssl-images-amazon.com',
  'https://images-eu.ssl-images-amazon.com',
  'https://images-fe.ssl-images-amazon.com',
] as const;

function originOf(url: string | undefined): string | null {
  if (!url) return null;
  try {
    return new URL(url).origin;
  } catch {
    return null;
  }
}

/**
 * The UI's Content-Security-Policy: its own scripts and styles only (no inline code, no eval),
 * API calls to itself, images from itself, Amazon's image hosts and the configured Amazon
 * endpoints (the emulator in tests and demos), never framed.
 */
export function uiContentSecurityPolicy(config: Config): string {
  const endpoints = [
    originOf(config.amazon.creators.apiUrl),
    originOf(config.amazon.paapi.endpoint),
    originOf(config.amazon.spapi.endpoint),
    // Amazon's own API hosts serve no images: only a plain-HTTP endpoint (the emulator) counts.
  ].filter((o): o is string => o !== null && o.startsWith('http://'));
  const images = ["'self'", ...AMAZON_IMAGE_HOSTS, ...new Set(endpoints)];
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    `img-src ${images.join(' ')}`,
    "connect-src 'self'",
    "font-src 'self'",
    "manifest-src 'self'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join('; ');
}
