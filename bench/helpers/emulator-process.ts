import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EmulatorCatalog, EmulatorStats } from '../../src/emulator/index.js';

const BIN = fileURLToPath(new URL('../../bin/code2asin.js', import.meta.url));

export interface EmulatorProcess {
  url: string;
  pid: number;
  env: Record<string, string>;
  stats(): Promise<EmulatorStats>;
  close(): Promise<void>;
}

/**
 * Runs the emulator in its own process, as Amazon is another machine: timing jitter of the
 * measured process does not move the emulator's clock, and the reverse.
 */
export async function startEmulatorProcess(
  catalog: EmulatorCatalog,
  pace: { tps?: number; latencyMs: number; burst?: number; throttleHints?: boolean },
): Promise<EmulatorProcess> {
  // Without `tps`, each credential keeps the catalog's own quota (generated catalogs: Creators
  // and PA-API 1/s burst 1, SP-API 2/s burst 2), so one emulator serves every protocol at its
  // published rate.
  const quota =
    pace.tps === undefined ? [] : ['--tps', String(pace.tps), '--burst', String(pace.burst ?? 1)];
  const flags = [...quota, '--latency-ms', String(pace.latencyMs)];
  // Default: 429s without a retry hint, as the Creators SDK models them.
  if (pace.throttleHints) flags.push('--throttle-hints');
  const dir = mkdtempSync(join(tmpdir(), 'c2a-emu-'));
  const file = join(dir, 'catalog.json');
  writeFileSync(file, JSON.stringify(catalog));
  const child = spawn(
    process.execPath,
    [BIN, 'emulator', '--catalog', file, '--port', '0', ...flags],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m && out.includes('AMAZON_ASSOCIATE_TAG')) resolve(m[1] as string);
    });
    child.on('exit', (code) => reject(new Error(`emulator exited with ${code}: ${out}`)));
  });
  await new Promise((r) => setTimeout(r, 200));
  const env: Record<string, string> = {};
  for (const line of out.split('\n')) {
    const m = /^(AMAZON_[A-Z_]+)=(.*)$/.exec(line.trim());
    if (m && !m[1]!.startsWith('AMAZON_PAAPI')) env[m[1]!] = m[2]!;
  }
  return {
    url,
    pid: child.pid as number,
    env,
    stats: async () => (await (await fetch(`${url}/__emulator/stats`)).json()) as EmulatorStats,
    close: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGINT');
      }),
  };
}
