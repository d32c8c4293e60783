import { z } from 'zod';
import { JobError } from './errors.js';

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
  })
  .strict();

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
