/**
 * The plugin's error answers (400, 401, 403, 404, 409, 413, 429), independent of which copy of
 * `@strapi/utils` npm installed.
 *
 * Strapi's error middleware recognises an error by `instanceof` against the error classes of
 * the `@strapi/utils` copy that `@strapi/core` loaded. A plugin that throws the classes of its
 * own import gets a 500 whenever npm gave it a different copy (e.g. a newer `@strapi/utils` at
 * the top level of a town's install, Strapi's own one nested). So the plugin never imports
 * `@strapi/utils`: its code throws these errors, and the `error-answers` route middleware
 * (first on every plugin route) writes them in Strapi's error shape
 * `{ data: null, error: { status, name, message, details } }`. The names are Strapi's, so
 * clients see what Strapi's own classes would have produced.
 *
 * Should one escape the plugin's routes (a service called from elsewhere), `status` and
 * `expose` make Strapi's fallback formatter (http-errors) answer with the same status and
 * shape instead of a 500.
 */
export type HttpErrorName =
  | 'ValidationError'
  | 'ApplicationError'
  | 'UnauthorizedError'
  | 'ForbiddenError'
  | 'NotFoundError'
  | 'ConflictError'
  | 'PayloadTooLargeError'
  | 'RateLimitError';

export type HttpErrorDetails = Record<string, unknown>;

export class TownCrierHttpError extends Error {
  readonly status: number;
  /** http-errors reads `status` or `statusCode`; `expose` lets it show the message. */
  readonly statusCode: number;
  readonly expose = true;
  readonly details: HttpErrorDetails;

  constructor(status: number, name: HttpErrorName, message: string, details: HttpErrorDetails = {}) {
    super(message);
    this.name = name;
    this.status = status;
    this.statusCode = status;
    this.details = details;
  }
}

/** 400, one entry per bad field in `details.errors` (`{ path, message, name }`). */
export const validationError = (message: string, details?: HttpErrorDetails) => new TownCrierHttpError(400, 'ValidationError', message, details);
/** 400 for a request that is well-formed but cannot be done (Strapi's ApplicationError). */
export const applicationError = (message: string, details?: HttpErrorDetails) => new TownCrierHttpError(400, 'ApplicationError', message, details);
export const unauthorizedError = (message: string, details?: HttpErrorDetails) => new TownCrierHttpError(401, 'UnauthorizedError', message, details);
export const forbiddenError = (message: string, details?: HttpErrorDetails) => new TownCrierHttpError(403, 'ForbiddenError', message, details);
export const notFoundError = (message: string, details?: HttpErrorDetails) => new TownCrierHttpError(404, 'NotFoundError', message, details);
export const conflictError = (message: string, details?: HttpErrorDetails) => new TownCrierHttpError(409, 'ConflictError', message, details);
export const payloadTooLargeError = (message: string, details?: HttpErrorDetails) => new TownCrierHttpError(413, 'PayloadTooLargeError', message, details);
export const rateLimitError = (message: string, details?: HttpErrorDetails) => new TownCrierHttpError(429, 'RateLimitError', message, details);

export const isHttpError = (error: unknown, name?: HttpErrorName): error is TownCrierHttpError =>
  error instanceof TownCrierHttpError && (name === undefined || error.name === name);

/** Strapi's error shape. */
export const errorBody = (error: TownCrierHttpError) => ({
  data: null,
  error: { status: error.status, name: error.name, message: error.message, details: error.details },
});

/**
 * Answers with the error in Strapi's shape, for code that is not behind `error-answers`
 * (an application-level middleware such as a body limit placed before `strapi::body`).
 */
export function answerWithError(ctx: { status: number; body: unknown }, error: TownCrierHttpError) {
  ctx.status = error.status;
  ctx.body = errorBody(error);
}
