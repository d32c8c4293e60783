import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DATABASE_FAULT_CODES, mapError, type MappedError } from './error-mapping.js';
import type { ErrorBody } from './http-error.js';

export { HttpError, ERROR_REF, ERROR_RESPONSE_SCHEMA, type ErrorBody } from './http-error.js';
export { mapError, mapAmazonError, type MappedError } from './error-mapping.js';

/**
 * The one error handler of the app, and the 404 for unknown routes, both answering
 * `{error: {code, message, details}}`. Unknown errors become 500 `internal_error`, logged with
 * the request id; nothing of them is shown.
 */
export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: unknown, request, reply) => {
    const known = mapError(error);
    const answer = known ?? internalError(request);
    if (!known) {
      request.log.error({ err: error, code: answer.code }, 'request failed');
    } else if (DATABASE_FAULT_CODES.has(answer.code)) {
      // The database logs a fault once when it starts and once when it clears.
      request.log.debug({ code: answer.code, status: answer.status }, answer.message);
    } else if (answer.status >= 500) {
      request.log.warn({ code: answer.code, status: answer.status }, answer.message);
    } else {
      request.log.info({ code: answer.code, status: answer.status }, answer.message);
    }
    return sendError(reply, answer);
  });

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '/';
    return sendError(reply, {
      status: 404,
      code: 'route_not_found',
      message: `No route ${request.method} ${path}; the routes are listed at /api/docs.`,
      details: { method: request.method, path },
      headers: {},
    });
  });
}

function internalError(request: FastifyRequest): MappedError {
  return {
    status: 500,
    code: 'internal_error',
    message: `An unexpected error happened; retry, and report request id ${request.id} if it persists.`,
    details: { request_id: request.id },
    headers: {},
  };
}

/** Answers with the shared error shape (also used by the auth hooks). */
export function sendError(reply: FastifyReply, answer: MappedError): FastifyReply {
  const body: ErrorBody = {
    error: { code: answer.code, message: answer.message, details: answer.details },
  };
  return reply.code(answer.status).headers(answer.headers).send(body);
}
