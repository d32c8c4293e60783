import { z } from 'zod';
import { PROVIDER_NAMES } from '../config/provider-names.js';
import { JobError } from './errors.js';

const providerName = z.enum(PROVIDER_NAMES, {
  message: `unknown provider; use one of ${PROVIDER_NAMES.join(', ')}`,
});

const marketplace = z
  .string()
  .trim()
  .toLowerCase()
  .min(2)
  .transform((v) => v);

/** Options of a job, validated at creation. Marketplaces are resolved to domains by the caller. */
export const jobOptionsSchema = z
  .object({
    name: z.string().trim().min(1).max(500),
    supplier_code: z.string().trim().max(200).nullish(),
    marketplaces: z.array(marketplace).min(1).max(25),
    use_amazon_api: z.boolean().default(true),
    column: z.union([z.string().trim().min(1), z.number().int().positive()]).nullish(),
    asin_column: z.union([z.string().trim().min(1), z.number().int().positive()]).nullish(),
    sheet: z.union([z.string().trim().min(1), z.number().int().positive()]).nullish(),
    auto_start: z.boolean().default(true),
    refresh: z.boolean().default(false),
    download_images: z.boolean().default(false),
    max_images_per_product: z.number().int().min(0).max(20).default(1),
    image_mode: z.enum(['replace', 'append', 'skip']).default('replace'),
    webhook_url: z.string().trim().url().nullish(),
    /**
     * The providers asked in order (issue 16): a code one does not find goes to the next.
     * Absent: the configured provider (AMAZON_PROVIDER or the stored settings).
     */
    providers: z
      .array(providerName)
      .min(1)
      .max(PROVIDER_NAMES.length)
      .refine((list) => new Set(list).size === list.length, 'names a provider twice')
      .nullish(),
    /** Shorthand of `providers` with one provider. */
    provider: providerName.nullish(),
    /** Adds offers and prices from this provider for the ASINs the chain found (issue 15). */
    enrich_with: providerName.nullish(),
  })
  .strict()
  .superRefine((o, ctx) => {
    if (o.provider && o.providers && (o.providers.length !== 1 || o.providers[0] !== o.provider))
      ctx.addIssue({
        code: 'custom',
        path: ['provider'],
        message: 'give either provider or providers, not both',
      });
  })
  .transform(({ provider, ...o }) => ({
    ...o,
    providers: o.providers ?? (provider ? [provider] : null),
  }));

export type JobOptionsInput = z.input<typeof jobOptionsSchema>;
export type JobOptions = z.output<typeof jobOptionsSchema>;

/** Validates job options; the error names each bad field and the problem. */
export function parseJobOptions(input: unknown): JobOptions {
  const result = jobOptionsSchema.safeParse(input);
  if (result.success) return result.data;
  const fields = result.error.issues.map((i) => ({
    field: i.path.join('.') || '(options)',
    problem: i.message,
  }));
  throw new JobError(
    'invalid_options',
    `Invalid job options: ${fields.map((f) => `${f.field}: ${f.problem}`).join('; ')}`,
    { fields },
  );
}
