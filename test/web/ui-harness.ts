import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { connect as netConnect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/env.js';
import type { EmulatorCatalog, RunningEmulator } from '../../src/emulator/index.js';
import { startServer, type RunningServer } from '../../src/http/server.js';
import { createOutboundClient, type OutboundClient } from '../../src/net/outbound-request.js';
import { createCapturingLogger } from '../helpers/capture-logger.js';
import { startTestEmulator } from '../helpers/jobs.js';
import { multipartBody } from '../http/jobs-helpers.js';

/** A real `serve` (SQLite file, inline worker) against the emulator, on loopback. */
export interface UiServer {
  url: string;
  adminToken: string;
  emu: RunningEmulator;
  server: RunningServer;
  /** Paths the stand-in of Amazon's image CDN was asked for (by the server, never the browser). */
  imageRequests: string[];
  close(): Promise<void>;
}

// A 1×1 PNG: what the stand-in image CDN answers for every picture.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mN8+P9/PQAJYwPQ4hqPKAAAAABJRU5ErkJggg==',
  'base64',
);

/**
 * Amazon's image hosts as the server's outbound guard sees them: public addresses (injected, no
 * DNS), every allowed connection routed to a loopback listener. Nothing leaves the machine.
 */
async function imageCdnOnLoopback(): Promise<{
  outbound: OutboundClient;
  requests: string[];
  server: Server;
}> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(req.url ?? '');
    res.writeHead(200, { 'content-type': 'image/png' }).end(PNG);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const outbound = createOutboundClient({
    resolve: async () => [{ address: '52.94.236.248', family: 4 }],
    connect: () => netConnect({ host: '127.0.0.1', port: (server.address() as AddressInfo).port }),
  });
  return { outbound, requests, server };
}

export const ADMIN_TOKEN = 'c2a_browser-test-admin-token-0123456789abcdef';

/** `env`: more settings (e.g. CODE2ASIN_BASE_PATH); `catalog`: the emulator's, instead of 200 products. */
export async function startUiServer(
  env: Record<string, string> = {},
  options: { catalog?: EmulatorCatalog } = {},
): Promise<UiServer> {
  const emu = await startTestEmulator({ count: 200, ...options });
  const dir = mkdtempSync(join(tmpdir(), 'c2a-ui-'));
  const { logger } = createCapturingLogger({ level: 'warn' });
  const config = loadConfig({
    ...emu.env('creators'),
    DATABASE_URL: `sqlite:${join(dir, 'ui.db')}`,
    CODE2ASIN_WORKER: 'inline',
    CODE2ASIN_ADMIN_TOKEN: ADMIN_TOKEN,
    AMAZON_TPS: '50',
    AMAZON_BURST: '10',
    ...env,
  });
  const cdn = await imageCdnOnLoopback();
  const server = await startServer({
    config,
    logger,
    port: 0,
    host: '127.0.0.1',
    print: () => {},
    imageOutbound: cdn.outbound,
  });
  return {
    url: server.url,
    adminToken: ADMIN_TOKEN,
    emu,
    server,
    imageRequests: cdn.requests,
    close: async () => {
      await server.close();
      await emu.close();
      await new Promise((r) => cdn.server.close(r));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A supplier file (semicolon-separated, French headers) of emulator codes whose matches need a
 * person: fuzzy (title and brand only), partial (UPC forms), several listings, not found.
 */
export function reviewFile(emu: RunningEmulator, rows = 90): string {
  const products = new Map(
    (emu.catalog.marketplaces['www.amazon.fr']?.products ?? []).map((p) => [p.asin, p]),
  );
  const wanted = [
    'title_only',
    'no_external_ids',
    'noisy_search',
    'duplicate_listings',
    'upc_listing',
    'many_hits',
    'exact_unique',
    'not_found',
  ];
  const truth = (emu.catalog.truth ?? []).filter((t) => wanted.includes(t.case));
  const lines = ['EAN;Désignation;Marque'];
  for (const t of truth.slice(0, rows)) {
    const p = t.asin ? products.get(t.asin) : undefined;
    lines.push(
      [t.code, p?.title ?? 'Produit inconnu', p?.brand ?? '']
        .map((c) => c.replace(/;/g, ','))
        .join(';'),
    );
  }
  return `${lines.join('\n')}\n`;
}

/** Creates and starts a job from `file` through the API; returns its id. */
export async function createJob(ui: UiServer, name: string, file: string): Promise<string> {
  const body = multipartBody(
    [
      ['name', name],
      ['marketplaces', 'fr'],
    ],
    [{ field: 'file', name: 'fournisseur.csv', type: 'text/csv', content: file }],
  );
  const res = await fetch(`${ui.url}/api/v1/code2asin/jobs`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ui.adminToken}`, ...body.headers },
    body: body.payload,
  });
  if (res.status !== 201) throw new Error(`job not created: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { id: string }).id;
}

/** Waits (generously: a loaded machine is slow) until the job has ended. */
export async function waitForJob(ui: UiServer, id: string, timeoutMs = 600_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await fetch(`${ui.url}/api/v1/code2asin/jobs/${id}`, {
      headers: { authorization: `Bearer ${ui.adminToken}` },
    });
    const job = (await res.json()) as { status: string };
    if (['completed', 'failed', 'cancelled'].includes(job.status)) return;
    if (Date.now() > deadline) throw new Error(`job ${id} still ${job.status}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
