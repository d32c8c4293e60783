import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReleasableProxy {
  url: string;
  /** Resolves when request number `holdAt` to the held path has arrived (and is held). */
  held: Promise<void>;
  /** Forwards the held request; every later one goes straight through. */
  release(): void;
  close(): Promise<void>;
}

/**
 * A loopback proxy in front of a local server that holds request number `holdAt` (1-based) to
 * `path` until the test releases it; every other request is forwarded as is. With one lookup in
 * flight, a job is held mid-way for as long as the test needs, whatever the machine's load.
 */
export async function startReleasableProxy(
  target: string,
  path: string,
  holdAt: number,
): Promise<ReleasableProxy> {
  let seen = 0;
  let onHeld: () => void = () => {};
  let onRelease: () => void = () => {};
  const held = new Promise<void>((resolve) => (onHeld = resolve));
  const released = new Promise<void>((resolve) => (onRelease = resolve));
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', target);
    if (url.pathname === path && ++seen === holdAt) {
      onHeld();
      void released.then(() => forward(req, res, url));
      return;
    }
    void forward(req, res, url);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    held,
    release: () => onRelease(),
    close: async () => {
      onRelease();
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
