import { signal } from '@preact/signals';
import { withBase } from '../../base-path.js';
import { useEffect } from 'preact/hooks';

/** Whether the live stream is connected; shown next to the progress. */
export const streamState = signal<'live' | 'reconnecting' | 'ended'>('live');

/**
 * Follows `GET /jobs/{id}/events` (Server-Sent Events, with the session cookie): `onChange` on
 * every status or progress event. When the connection drops it reconnects (the browser's own
 * retry, and a new stream if the browser gave up); it stops at `end`.
 */
export function useJobEvents(jobId: string, active: boolean, onChange: () => void): void {
  useEffect(() => {
    if (!active) return;
    let source: EventSource | undefined;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    const open = () => {
      source = new EventSource(
        withBase(`/api/v1/code2asin/jobs/${encodeURIComponent(jobId)}/events`),
      );
      source.addEventListener('open', () => (streamState.value = 'live'));
      source.addEventListener('status', onChange);
      source.addEventListener('progress', onChange);
      source.addEventListener('end', () => {
        streamState.value = 'ended';
        source?.close();
        onChange();
      });
      source.addEventListener('error', () => {
        if (stopped || streamState.value === 'ended') return;
        streamState.value = 'reconnecting';
        if (source?.readyState === EventSource.CLOSED) retry = setTimeout(open, 3000);
      });
    };
    open();
    return () => {
      stopped = true;
      clearTimeout(retry);
      source?.close();
    };
  }, [jobId, active]);
}
