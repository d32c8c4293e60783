import { options, type VNode } from 'preact';

/**
 * The public prefix the UI is served under (`CODE2ASIN_BASE_PATH`, e.g. `/code2asin` behind a
 * reverse proxy), as `serve` writes it into index.html; '' at the root. Screens keep writing
 * root-relative paths (`/jobs/7`, `/api/v1/…`); this module puts the prefix on what the browser
 * sees (links, history, requests) and takes it off what the router reads.
 */
export const BASE: string =
  document.querySelector('meta[name="code2asin-base"]')?.getAttribute('content') ?? '';

/** `/jobs/7` → `/code2asin/jobs/7` (other URLs unchanged). */
export function withBase(path: string): string {
  if (!BASE || !path.startsWith('/') || path.startsWith('//')) return path;
  return path === BASE || path.startsWith(`${BASE}/`) ? path : `${BASE}${path}`;
}

/** `/code2asin/jobs/7?x` → `/jobs/7?x`: the path the router matches. */
export function withoutBase(url: string): string {
  if (!BASE) return url;
  if (url === BASE || url.startsWith(`${BASE}?`)) return `/${url.slice(BASE.length)}`;
  return url.startsWith(`${BASE}/`) ? url.slice(BASE.length) : url;
}

// Every root-relative link the screens render gets the prefix, so that opening it in a new tab
// (or a download) reaches the service through the proxy too.
if (BASE) {
  const previous = options.vnode;
  options.vnode = (vnode: VNode) => {
    const props = vnode.props as { href?: unknown };
    if (vnode.type === 'a' && typeof props.href === 'string') props.href = withBase(props.href);
    previous?.(vnode);
  };
}
