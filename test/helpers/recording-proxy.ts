import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type SearchProtocol = 'spapi' | 'creators' | 'keepa';

/** One code search that reached the proxy: who was asked, for which codes, whether held. */
export interface ProxiedCodeSearch {
  protocol: SearchProtocol;
  codes: string[];
  /** Creators search page (1 for SP-API and Keepa, which answer every code in one page). */
  page: number;
  held: boolean;
  /** When it arrived (epoch ms). */
  at: number;
  /** The emulator's answer status once forwarded (null: held, or not answered). */
  status: number | null;
}

export interface RecordingProxy {
  url: string;
  /** Code searches of every provider seen so far, in arrival order. */
  searches: ProxiedCodeSearch[];
  /** Resolves when the held search has arrived (its sender has a batch in flight). */
  held: Promise<ProxiedCodeSearch>;
  close(): Promise<void>;
}

/**
 * A loopback proxy in front of the emulator for the three providers that search by code (SP-API
 * `searchCatalogItems`, Creators `searchItems`, Keepa `/product?code=`): it records each code
 * search and never answers the `hold.at`-th (1-based) search of `hold.protocol`, so its sender
 * is caught with a batch claimed and unanswered. Everything else is forwarded as is.
 */
export async function startRecordingProxy(
  target: string,
  hold: { protocol: SearchProtocol; at: number } | null = null,
): Promise<RecordingProxy> {
  const searches: ProxiedCodeSearch[] = [];
  let onHeld: (s: ProxiedCodeSearch) => void = () => {};
  const held = new Promise<ProxiedCodeSearch>((resolve) => (onHeld = resolve));
  const open = new Set<ServerResponse>();
  const seen = new Map<SearchProtocol, number>();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      const url = new URL(req.url ?? '/', target);
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const body = Buffer.concat(chunks);
      const found = codeSearchOf(url, body);
      if (found) {
        const n = (seen.get(found.protocol) ?? 0) + 1;
        seen.set(found.protocol, n);
        const isHeld = hold?.protocol === found.protocol && hold.at === n;
        const search: ProxiedCodeSearch = { ...found, held: isHeld, at: Date.now(), status: null };
        searches.push(search);
        if (search.held) {
          open.add(res);
          onHeld(search);
          return;
        }
        search.status = await forward(req, res, url, body);
        return;
      }
      await forward(req, res, url, body);
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    searches,
    held,
    close: async () => {
      for (const res of open) res.destroy();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

function codeSearchOf(
  url: URL,
  body: Buffer,
): Omit<ProxiedCodeSearch, 'held' | 'at' | 'status'> | null {
  const split = (v: string | null) => (v ?? '').split(',').filter(Boolean);
  if (url.pathname === '/catalog/2022-04-01/items')
    return { protocol: 'spapi', codes: split(url.searchParams.get('identifiers')), page: 1 };
  if (url.pathname === '/product' && url.searchParams.has('code'))
    return { protocol: 'keepa', codes: split(url.searchParams.get('code')), page: 1 };
  if (url.pathname === '/catalog/v1/searchItems') {
    let json: { keywords?: string; itemPage?: number } = {};
    try {
      json = JSON.parse(body.toString('utf8')) as typeof json;
    } catch {
      // Not JSON: the emulator answers it; recorded without a code.
    }
    return { protocol: 'creators', codes: [json.keywords ?? ''], page: json.itemPage ?? 1 };
  }
  return null;
}

async function forward(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  body: Buffer,
): Promise<number | null> {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers))
    if (typeof v === 'string' && !['host', 'connection', 'content-length'].includes(k))
      headers[k] = v;
  try {
    const answer = await fetch(url, {
      method: req.method,
      headers,
      body: body.length > 0 ? body : undefined,
    });
    const out: Record<string, string> = {};
    answer.headers.forEach((v, k) => {
      if (!['content-length', 'content-encoding', 'transfer-encoding', 'connection'].includes(k))
        out[k] = v;
    });
    res.writeHead(answer.status, out);
    res.end(Buffer.from(await answer.arrayBuffer()));
    return answer.status;
  } catch {
    res.destroy();
    return null;
  }
}
