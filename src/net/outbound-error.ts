/** Why the outbound guard refused or could not complete a request. */
export type OutboundErrorCode =
  | 'invalid_url'
  | 'scheme_not_allowed'
  | 'host_not_allowed'
  | 'address_not_public'
  | 'name_not_resolved'
  | 'redirect_not_followed'
  | 'response_too_large'
  | 'timeout'
  | 'connection_failed';

/** Codes that say the URL itself is refused: retrying the same URL cannot succeed. */
export const REFUSED_URL_CODES: ReadonlySet<OutboundErrorCode> = new Set([
  'invalid_url',
  'scheme_not_allowed',
  'host_not_allowed',
  'address_not_public',
]);

/** An outbound request refused by the guard, or failed. `origin` never holds a path or query. */
export class OutboundError extends Error {
  constructor(
    readonly code: OutboundErrorCode,
    message: string,
    readonly origin: string | null,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'OutboundError';
  }

  /** True when the URL is refused as such (not a transient failure). */
  get refused(): boolean {
    return REFUSED_URL_CODES.has(this.code);
  }
}
