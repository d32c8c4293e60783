import {
  createAmazonClient,
  type AmazonClient,
  type AmazonClientDeps,
} from '../../src/amazon/client.js';
import type { AmazonSettings } from '../../src/amazon/provider.js';
import { loadConfig } from '../../src/config/env.js';
import {
  generateCatalog,
  keepaStatsKey,
  startEmulator,
  type EmulatorOptions,
  type RunningEmulator,
} from '../../src/emulator/index.js';

export type Kind = 'creators' | 'paapi' | 'spapi' | 'keepa';

/** A generated catalog with one product made inaccessible, so partial errors are certain. */
export function testCatalog(count = 120, seed = 7): ReturnType<typeof generateCatalog> {
  const catalog = generateCatalog(count, seed);
  const products = catalog.marketplaces['www.amazon.fr']?.products ?? [];
  const target = products.find((p) => !p.isParent && !p.parentAsin && p.asin.startsWith('B0'));
  if (target) target.accessible = false;
  return catalog;
}

export async function startTestEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  return startEmulator({
    port: 0,
    catalog: testCatalog(),
    tps: 100,
    burst: 100,
    latencyMs: 0,
    ...options,
  });
}

/** Settings as the service would load them from the emulator's AMAZON_* variables. */
export function settingsFor(
  emu: RunningEmulator,
  kind: Kind,
  env: Record<string, string> = {},
  credentialIndex = 0,
): AmazonSettings {
  return loadConfig({
    AMAZON_TPS: '100',
    AMAZON_BURST: '100',
    ...emu.env(kind, credentialIndex),
    ...env,
  }).amazon;
}

export function clientFor(
  emu: RunningEmulator,
  kind: Kind,
  env: Record<string, string> = {},
  deps: AmazonClientDeps = {},
  credentialIndex = 0,
): AmazonClient {
  return createAmazonClient(settingsFor(emu, kind, env, credentialIndex), deps);
}

/** The emulator's stats key of a client credential. */
export function credentialKey(emu: RunningEmulator, kind: Kind, credentialIndex = 0): string {
  if (kind === 'keepa') {
    const key = emu.catalog.keepaKeys?.[credentialIndex]?.key;
    if (!key) throw new Error(`no keepa key #${credentialIndex}`);
    return keepaStatsKey(key);
  }
  const cred = emu.credentials.filter((c) => c.kind === kind)[credentialIndex];
  if (!cred) throw new Error(`no ${kind} credential #${credentialIndex}`);
  if (cred.kind === 'spapi') return cred.clientId;
  return cred.kind === 'creators' ? cred.id : cred.accessKey;
}

export function statsOf(emu: RunningEmulator, kind: Kind, credentialIndex = 0) {
  return emu.stats().credentials[credentialKey(emu, kind, credentialIndex)];
}

export function truthOf(
  emu: RunningEmulator,
  kase: string,
): { code: string; asin: string | null }[] {
  return (emu.catalog.truth ?? []).filter((t) => t.case === kase);
}

export function productsOf(emu: RunningEmulator) {
  return emu.catalog.marketplaces['www.amazon.fr']?.products ?? [];
}
