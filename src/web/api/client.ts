import createClient, { type Middleware } from 'openapi-fetch';
import { BASE } from '../base-path.js';
import type { paths } from './schema.js';

/**
 * The typed client of the code2asin API (types generated from its OpenAPI document). The
 * browser sends the session cookie; no token is ever kept by the UI.
 */
export const api = createClient<paths>({ baseUrl: BASE, credentials: 'same-origin' });

/** Called when the server says the session has ended (401 anywhere but the sign-in itself). */
let onSessionEnded: () => void = () => {};
export function whenSessionEnds(handler: () => void): void {
  onSessionEnded = handler;
}

const sessionWatch: Middleware = {
  onResponse({ request, response }) {
    if (response.status === 401 && !request.url.endsWith('/api/v1/session')) onSessionEnded();
    return undefined;
  },
};
api.use(sessionWatch);

/** An API error as every answer carries it: `{error: {code, message, details}}`. */
export interface ApiError {
  code: string;
  message: string;
  details?: Record<string, unknown>;
}

/** The error of a failed call, or a network problem said in words. */
export function errorOf(error: unknown): ApiError {
  const body = error as { error?: ApiError } | undefined;
  if (body?.error?.message) return body.error;
  return { code: 'network', message: String((error as Error)?.message ?? error) };
}

/** Throws the API's error of a call that failed; returns the data otherwise. */
export function unwrap<T>(result: { data?: T; error?: unknown }): T {
  if (result.error !== undefined || result.data === undefined) throw errorOf(result.error);
  return result.data;
}

type Json<T> = T extends { content: { 'application/json': infer B } } ? B : never;
type Get<P extends keyof paths> = paths[P] extends { get: { responses: { 200: infer R } } }
  ? Json<R>
  : never;

export type JobList = Get<'/api/v1/code2asin/jobs'>;
export type Job = NonNullable<JobList['items']>[number];
export type JobDetail = Get<'/api/v1/code2asin/jobs/{id}'>;
export type ResultPage = Get<'/api/v1/code2asin/jobs/{id}/results'>;
export type Result = NonNullable<ResultPage['items']>[number];
export type Session = Get<'/api/v1/session'>;
export type SignedIn = Extract<Session, { signed_in: true }>;
export type DecisionPage = Get<'/api/v1/code2asin/jobs/{id}/decisions'>;
