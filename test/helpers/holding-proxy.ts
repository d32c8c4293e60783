import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One search request that reached the proxy: its identifiers, sender's token, whether held. */
export interface ProxiedSearch {
  identifiers: string[];
  /** `x-amz-access-token`: each provider instance logs in for its own, so it names the sender. */
  token: string;
  held: boolean;
}

export interface HoldingProxy {
  url: string;
  /** SP-API searches seen so far, in arrival order. */
  searches: ProxiedSearch[];
  /** Resolves when the held search has arrived (the sender has a batch in flight). */
  held: Promise<ProxiedSearch>;
  close(): Promise<void>;
}

/**
 * A loopback proxy in front of the emulator's SP-API routes: it records every
 * `searchCatalogItems` and never answers search number `holdAt` (1-based), so its sender is
 * caught with a batch claimed and unanswered. Everything else is forwarded as is.
 */
export async function startHoldingProxy(target: string, holdAt: number): Promise<HoldingProxy> {
  const searches: ProxiedSearch[] = [];
  let onHeld: (s: ProxiedSearch) => void = () => {};
  const held = new Promise<ProxiedSearch>((resolve) => (onHeld = resolve));
  const open = new Set<ServerResponse>();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', target);
    if (url.pathname === '/catalog/2022-04-01/items') {
      const identifiers = (url.searchParams.get('identifiers') ?? '').split(',').filter(Boolean);
      const token = String(req.headers['x-amz-access-token'] ?? '');
      const search = { identifiers, token, held: searches.length + 1 === holdAt };
      searches.push(search);
      if (search.held) {
        open.add(res);
        onHeld(search);
        return;
      }
    }
    void forward(req, res, url);
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

async function forward(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers))
    if (typeof v === 'string' && !['host', 'connection', 'content-length'].includes(k))
      headers[k] = v;
  try {
    const answer = await fetch(url, {
      method: req.method,
      headers,
      body: chunks.length > 0 ? Buffer.concat(chunks) : undefined,
    });
    const out: Record<string, string> = {};
    answer.headers.forEach((v, k) => {
      if (!['content-length', 'content-encoding', 'transfer-encoding', 'connection'].includes(k))
        out[k] = v;
    });
    res.writeHead(answer.status, out);
    res.end(Buffer.from(await answer.arrayBuffer()));
  } catch {
    res.destroy();
  }
}
