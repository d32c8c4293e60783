/** One field that failed validation, in camelCase (PA-API renders it in PascalCase). */
export interface ValidationIssue {
  field: string;
  /** `unknown`: a field the request model does not define. */
  kind: 'missing' | 'invalid' | 'unknown';
  value?: unknown;
  /** Why, e.g. "must be between 1 and 10". */
  detail?: string;
}

/** Protocol-neutral description of an error response; each protocol renders its own body. */
export interface ApiErrorInit {
  status: number;
  /** Creators `type`, PA-API `__type` suffix, e.g. `ValidationException`. */
  type: string;
  message: string;
  /** Creators `reason`. */
  reason?: string;
  /** PA-API `Errors[0].Code`. */
  code?: string;
  /** PA-API message when it differs from the Creators one. */
  paapiMessage?: string;
  issues?: ValidationIssue[];
  resourceType?: string;
  resourceId?: string;
  /** Creators 429 (SDK `ThrottleExceptionResponseContent`): which service and quota refused. */
  serviceCode?: string;
  quotaCode?: string;
  /** Retry hint; the emulator sends it only with the `throttleHints` option. */
  retryAfterSeconds?: number;
}

/** Thrown by the emulator's handlers; rendered by the protocol layer. */
export class ApiError extends Error {
  readonly init: ApiErrorInit;
  constructor(init: ApiErrorInit) {
    super(init.message);
    this.init = init;
  }
}

/** 400 for invalid or missing fields. */
export function validationError(issues: ValidationIssue[]): ApiError {
  return new ApiError({
    status: 400,
    type: 'ValidationException',
    reason: 'FieldValidationFailed',
    message: 'Request validation failed.',
    issues,
  });
}

/** 400 when the body is not JSON. */
export function cannotParse(): ApiError {
  return new ApiError({
    status: 400,
    type: 'ValidationException',
    reason: 'CannotParse',
    code: 'InvalidParameterValue',
    message:
      'Unable to parse the request payload. Please verify that the request body is valid JSON.',
  });
}

/** 404 when nothing is found. */
export function notFound(resourceType: string, resourceId: string, message: string): ApiError {
  return new ApiError({
    status: 404,
    type: 'ResourceNotFoundException',
    code: 'NoResults',
    message,
    paapiMessage: 'No results found for your request.',
    resourceType,
    resourceId,
  });
}
