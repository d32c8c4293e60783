import type { ComponentChildren } from 'preact';
import { useLayoutEffect, useMemo, useReducer } from 'preact/hooks';
import { LocationProvider } from 'preact-iso';
import { withBase, withoutBase } from '../base-path.js';

type Action = MouseEvent | PopStateEvent | { url: string; replace?: boolean };
let pushed = false;

/** The in-app URL (without the base) a same-origin link click goes to, or null for the browser. */
function clickedUrl(event: MouseEvent): string | null {
  if (event.ctrlKey || event.metaKey || event.altKey || event.shiftKey || event.button !== 0) {
    return null;
  }
  const link = event
    .composedPath()
    .find(
      (el): el is HTMLAnchorElement =>
        (el as Element).nodeName === 'A' && !!(el as HTMLAnchorElement).href,
    );
  const href = link?.getAttribute('href') ?? '';
  if (
    !link ||
    link.origin !== location.origin ||
    href.startsWith('#') ||
    !/^(_?self)?$/i.test(link.target) ||
    link.hasAttribute('download')
  ) {
    return null;
  }
  const url = withoutBase(link.pathname + link.search + link.hash);
  // The API's own addresses (downloads, documents) are the browser's business.
  return url.startsWith('/api/') ? null : url;
}

function navigate(state: string, action: Action): string {
  let url: string;
  let push: boolean | undefined;
  if (action instanceof MouseEvent) {
    const target = clickedUrl(action);
    if (target === null) return state;
    action.preventDefault();
    [url, push] = [target, true];
  } else if ('url' in action) {
    [url, push] = [action.url, !action.replace];
  } else {
    url = withoutBase(location.pathname + location.search);
  }
  if (push === true) history.pushState(null, '', withBase(url));
  else if (push === false) history.replaceState(null, '', withBase(url));
  pushed = push === true;
  return url;
}

/**
 * preact-iso's LocationProvider for a UI served under a base path: the routes, `useLocation()`
 * and `route()` see paths without the prefix; the address bar and history carry it.
 */
export function BasedLocationProvider(props: { children?: ComponentChildren }) {
  const [url, route] = useReducer(navigate, withoutBase(location.pathname + location.search));
  const wasPush = pushed;
  const value = useMemo(() => {
    const u = new URL(url, location.origin);
    return {
      url,
      path: u.pathname.replace(/\/+$/g, '') || '/',
      query: Object.fromEntries(u.searchParams),
      route: (to: string, replace?: boolean) => route({ url: to, replace }),
      back: () => history.back(),
      forward: () => history.forward(),
      wasPush,
    };
  }, [url]);
  useLayoutEffect(() => {
    addEventListener('click', route);
    addEventListener('popstate', route);
    return () => {
      removeEventListener('click', route);
      removeEventListener('popstate', route);
    };
  }, []);
  return (
    <LocationProvider.ctx.Provider value={value}>{props.children}</LocationProvider.ctx.Provider>
  );
}
