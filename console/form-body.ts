import type { FastifyRequest } from 'fastify';

/** A console form's fields. The HTTP service keeps every body as raw bytes; forms are `application/x-www-form-urlencoded`. */
export function formBody(request: FastifyRequest): URLSearchParams {
  const type = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded' || !request.rawBody) return new URLSearchParams();
  return new URLSearchParams(request.rawBody.toString('utf8'));
}
