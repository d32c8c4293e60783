import { basename, extname } from 'node:path';
import { fieldError } from './upload.js';

/** Most codes one JSON request may carry (larger lists: upload a file). */
export const MAX_JSON_CODES = 100_000;

type Options = Record<string, unknown>;

/** `marketplaces` as a list: repeated fields and/or comma lists, trimmed, empties dropped. */
export function splitMarketplaces(values: readonly string[]): string[] {
  return values
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);
}

function parseBoolean(field: string, raw: string): boolean {
  const v = raw.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(v)) return true;
  if (['false', '0', 'no', 'off'].includes(v)) return false;
  throw fieldError(field, 'must be true or false');
}

function parseOptionsJson(raw: string): Options {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw fieldError('options', 'must be a JSON object, e.g. {"refresh": true}');
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw fieldError('options', 'must be a JSON object, e.g. {"refresh": true}');
  }
  return parsed as Options;
}

function single(fields: Map<string, string[]>, name: string): string | undefined {
  const values = fields.get(name);
  if (!values) return undefined;
  if (values.length > 1) throw fieldError(name, 'is given more than once');
  return values[0];
}

/**
 * The job options of a multipart form: `options` (JSON) overlaid with the named fields. The
 * name defaults to the file's name without extension, marketplaces to the configured one.
 * The options are validated by `createJob` (400 naming the field).
 */
export function optionsFromForm(
  fields: Map<string, string[]>,
  fileName: string,
  defaultMarketplace: string,
): Options {
  const json = single(fields, 'options');
  const options: Options = json === undefined ? {} : parseOptionsJson(json);
  const name = single(fields, 'name');
  options.name = name ?? options.name ?? basename(fileName, extname(fileName));
  const supplier = single(fields, 'supplier_code');
  if (supplier !== undefined) options.supplier_code = supplier;
  const markets = fields.get('marketplaces');
  if (markets) options.marketplaces = splitMarketplaces(markets);
  options.marketplaces ??= [defaultMarketplace];
  const useApi = single(fields, 'use_amazon_api');
  if (useApi !== undefined) options.use_amazon_api = parseBoolean('use_amazon_api', useApi);
  const providers = fields.get('providers');
  if (providers) options.providers = splitMarketplaces(providers);
  const enrich = single(fields, 'enrich_with');
  if (enrich !== undefined) options.enrich_with = enrich.trim();
  const column = single(fields, 'column');
  if (column !== undefined) options.column = /^\d+$/.test(column.trim()) ? Number(column) : column;
  return options;
}

/**
 * The codes and options of a JSON body `{name, codes: [...], marketplaces, …}`: every other
 * field is a job option (unknown ones are refused by the options' validation).
 */
export function inputFromJson(
  body: unknown,
  defaultMarketplace: string,
): { codes: (string | number)[]; options: Options } {
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    throw fieldError('(root)', 'must be a JSON object {name, codes, marketplaces}');
  }
  const { codes, options: nested, ...rest } = body as Options;
  if (codes === undefined) {
    throw fieldError('codes', 'is required (or upload a file as multipart/form-data)');
  }
  if (!Array.isArray(codes) || codes.length === 0) {
    throw fieldError('codes', 'must be a non-empty array of codes');
  }
  if (codes.length > MAX_JSON_CODES) {
    throw fieldError('codes', `holds more than ${MAX_JSON_CODES} codes: upload a file instead`);
  }
  const bad = codes.findIndex((c) => typeof c !== 'string' && typeof c !== 'number');
  if (bad >= 0) throw fieldError(`codes.${bad}`, 'must be a string or a number');
  if (nested !== undefined && (!nested || typeof nested !== 'object' || Array.isArray(nested))) {
    throw fieldError('options', 'must be an object');
  }
  const options: Options = { ...(nested as Options | undefined), ...rest };
  if (typeof options.marketplaces === 'string') {
    options.marketplaces = splitMarketplaces([options.marketplaces]);
  }
  options.marketplaces ??= [defaultMarketplace];
  return { codes: codes as (string | number)[], options };
}
