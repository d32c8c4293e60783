import { useEffect, useRef, useState } from 'preact/hooks';
import {
  api,
  errorOf,
  unwrap,
  type ApiError,
  type Result,
  type ResultPage,
} from '../../api/client.js';
import type { ReviewFilter } from './review-filters.js';

const PER_PAGE = 25;

/** A result a person has already decided (it stays on the page, marked, until the next read). */
export const isDecided = (r: Result) => r.match_type === 'manual';

/**
 * The page of results on screen: read by key (`after`), a selection within it, and the moves
 * between results and pages. `reading` is true while a page is being read, so that a key pressed
 * meanwhile never acts on the result of the page that is going away.
 */
export function useResultPage(id: string, filter: ReviewFilter) {
  const filterKey = JSON.stringify(filter);
  // The cursors belong to the filter they were read under: a new filter starts at its first page
  // in the same render (no read of the new filter at the old filter's cursor).
  const [paging, setPaging] = useState<{ key: string; cursors: number[] }>({
    key: filterKey,
    cursors: [],
  });
  const cursors = paging.key === filterKey ? paging.cursors : [];
  const setCursors = (next: number[]) => setPaging({ key: filterKey, cursors: next });
  // Bumped to read the first page again when the cursor is already there.
  const [readCount, setReadCount] = useState(0);
  const [page, setPage] = useState<ResultPage | null>(null);
  const [selected, setSelected] = useState(0);
  const [error, setError] = useState<ApiError | null>(null);
  // Counts the reads: what was decided "since the last read" starts again from each one.
  const [readId, setReadId] = useState(0);
  const [loading, setLoading] = useState(true);
  const reading = useRef(false);
  // Only the latest read is shown: an older answer arriving late never replaces a newer one.
  const latestRead = useRef(0);
  const cursor = cursors.at(-1);
  const startReading = () => {
    reading.current = true;
    setLoading(true);
  };

  const load = async () => {
    const readNumber = ++latestRead.current;
    startReading();
    try {
      const query = {
        ...filter,
        per_page: PER_PAGE,
        ...(cursor === undefined ? {} : { after: cursor }),
      };
      const next = unwrap(
        await api.GET('/api/v1/code2asin/jobs/{id}/results', {
          params: { path: { id }, query },
        }),
      );
      if (readNumber !== latestRead.current) return;
      setPage(next);
      setReadId((n) => n + 1);
      setSelected(
        Math.max(
          0,
          (next.items ?? []).findIndex((r) => !isDecided(r)),
        ),
      );
      setError(null);
    } catch (e) {
      if (readNumber === latestRead.current) setError(errorOf(e));
    } finally {
      if (readNumber === latestRead.current) {
        reading.current = false;
        setLoading(false);
      }
    }
  };
  useEffect(() => void load(), [id, filterKey, cursor, readCount]);

  const items = page?.items ?? [];
  const hasNext = page?.next_after != null;
  return {
    page,
    items,
    selected: Math.min(selected, Math.max(0, items.length - 1)),
    error,
    setError,
    reading,
    loading,
    readId,
    hasNext,
    hasPrevious: cursors.length > 0,
    load,
    select: setSelected,
    move: (by: number) => setSelected((s) => Math.max(0, Math.min(items.length - 1, s + by))),
    nextPage: () => {
      if (page?.next_after == null) return;
      startReading();
      setCursors([...cursors, page.next_after]);
    },
    previousPage: () => {
      startReading();
      setCursors(cursors.slice(0, -1));
    },
    /** The first page again (what is still open in the filter, after the last page). */
    restart: () => {
      startReading();
      setCursors([]);
      setReadCount((n) => n + 1);
    },
    /** Results the server answered changed, replaced in place on the page on screen. */
    patchItems: (changed: Result[]) => {
      const byId = new Map(changed.map((r) => [r.id, r]));
      setPage((p) => p && { ...p, items: (p.items ?? []).map((r) => byId.get(r.id) ?? r) });
    },
  };
}
