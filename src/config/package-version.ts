import { readFileSync } from 'node:fs';

interface PackageInfo {
  version: string;
  homepage?: string;
}

let cached: PackageInfo | undefined;

function packageInfo(): PackageInfo {
  cached ??= JSON.parse(
    readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
  ) as PackageInfo;
  return cached;
}

/** The version from package.json. */
export function packageVersion(): string {
  return packageInfo().version;
}

/** The project's homepage: package.json `homepage`, the one place it is written. */
export function packageHomepage(): string | undefined {
  return packageInfo().homepage;
}

/**
 * `User-Agent` of every request code2asin sends to Amazon: product, version and where to find
 * out what it is (`code2asin/0.1.0 (+https://…)`), as crawlers and API clients identify themselves.
 */
export function userAgent(): string {
  const home = packageHomepage();
  return `code2asin/${packageVersion()}${home ? ` (+${home})` : ''}`;
}
