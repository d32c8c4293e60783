/** Codes of the errors the jobs module throws; the HTTP layer maps each to a status. */
export type JobErrorCode =
  | 'job_not_found'
  | 'illegal_transition'
  | 'invalid_options'
  | 'retry_limit_reached'
  | 'no_valid_codes'
  | 'input_invalid'
  | 'ingestion_busy';

/** A domain error of the jobs module. `details` is safe to show to the user. */
export class JobError extends Error {
  constructor(
    readonly code: JobErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'JobError';
  }
}
