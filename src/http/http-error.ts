/**
 * An error a route throws to answer with a given status and code. Everything in it is shown to
 * the client: `message` says what to do next, `details` holds machine-readable facts.
 */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** The body of every error answer: `{error: {code, message, details}}`. */
export interface ErrorBody {
  error: { code: string; message: string; details: Record<string, unknown> };
}

/** JSON schema of ErrorBody, registered once as `ErrorResponse`. */
export const ERROR_RESPONSE_SCHEMA = {
  $id: 'ErrorResponse',
  type: 'object',
  description: 'Every error answer has this shape.',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message', 'details'],
      properties: {
        code: { type: 'string', description: 'Stable, machine-readable: branch on this.' },
        message: { type: 'string', description: 'What went wrong and what to do next.' },
        details: { type: 'object', additionalProperties: true },
      },
    },
  },
  examples: [
    {
      error: {
        code: 'validation_failed',
        message:
          'Invalid request: querystring "code" is required. See /api/docs for the expected shape.',
        details: { issues: [{ location: 'querystring', field: 'code', problem: 'is required' }] },
      },
    },
  ],
} as const;

/** `$ref` to the shared error schema, for route response schemas. */
export const ERROR_REF = { $ref: 'ErrorResponse#' } as const;
