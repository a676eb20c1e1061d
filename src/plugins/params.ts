import type { FastifyRequest } from 'fastify';
import { positiveInteger } from '../domain/whole-number.js';
import { notFound } from './errors.js';

export { positiveInteger };

/** A numeric id from the URL; anything else is a page that does not exist (404), never a 500. */
export function idParam(raw: unknown): number {
  const id = positiveInteger(raw);
  if (id === null) throw notFound();
  return id;
}

/** A text field of a posted form, or '' when absent or not text. */
export function bodyField(request: FastifyRequest, name: string): string {
  const value = (request.body as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value : '';
}
