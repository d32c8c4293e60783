import { useEffect, useRef } from 'preact/hooks';

/**
 * Runs `load` now and again `everyMs` after each run has finished (never two at once, so a slow
 * server never gets a pile of requests), while `active` is true and the page is visible.
 */
export function usePolling(
  load: () => Promise<void>,
  everyMs: number,
  active: boolean,
  deps: unknown[],
) {
  const latest = useRef(load);
  latest.current = load;
  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const tick = async () => {
      if (stopped) return;
      if (document.visibilityState === 'visible') await latest.current().catch(() => undefined);
      if (!stopped && active) timer = setTimeout(() => void tick(), everyMs);
    };
    void tick();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [...deps, active]);
}
