import { useRef, useState } from 'preact/hooks';

/**
 * One write at a time: a key pressed while a decision is on its way (or while `blocked()`, e.g.
 * the page is being replaced) is not sent again on a result that is no longer the one shown.
 * `busy` disables the buttons meanwhile, so the wait is visible.
 */
export function useExclusive(blocked: () => boolean) {
  const [busy, setBusy] = useState(false);
  const inFlight = useRef(false);
  const run = async (write: () => Promise<void>) => {
    if (inFlight.current || blocked()) return;
    inFlight.current = true;
    setBusy(true);
    try {
      await write();
    } finally {
      inFlight.current = false;
      setBusy(false);
    }
  };
  return { busy, run };
}
