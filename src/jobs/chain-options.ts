import { PROVIDER_NAMES, type ProviderName } from '../config/provider-names.js';
import type { JobsContext } from './context.js';
import { JobError } from './errors.js';
import type { JobOptions } from './job-options.js';

/**
 * Refuses a chain that names a provider whose settings are incomplete, before anything is stored:
 * the error names the field, what to set, and the providers that are configured. Without a way
 * to tell (a context with no Amazon settings) the names alone were checked by the schema.
 */
export async function checkChainProviders(ctx: JobsContext, options: JobOptions): Promise<void> {
  const info = ctx.providerInfo;
  if (!info || options.use_amazon_api === false) return;
  const wanted: [string, ProviderName][] = [
    ...(options.providers ?? []).map((p): [string, ProviderName] => ['providers', p]),
    ...(options.enrich_with
      ? [['enrich_with', options.enrich_with] as [string, ProviderName]]
      : []),
  ];
  if (wanted.length === 0) return;
  const all = await Promise.all(PROVIDER_NAMES.map((p) => info(p)));
  const configured = all.filter((i) => i.ready).map((i) => i.provider);
  const fields = wanted.flatMap(([field, p]) => {
    const i = all.find((x) => x.provider === p);
    if (!i || i.ready) return [];
    const set = i.missing.length > 0 ? ` (set ${i.missing.join(', ')})` : '';
    return [{ field, problem: `${p} is not configured${set}` }];
  });
  if (fields.length === 0) return;
  const list = configured.length > 0 ? configured.join(', ') : 'none';
  throw new JobError(
    'invalid_options',
    `Invalid job options: ${fields.map((f) => `${f.field}: ${f.problem}`).join('; ')}. Configured providers: ${list}.`,
    { fields, configured_providers: configured },
  );
}
