import type { FastifyRequest } from 'fastify';
import { notFound } from './errors.js';

/** A numeric id from the URL; anything else is a page that does not exist (404), never a 500. */
export function idParam(raw: unknown): number {
  if (typeof raw !== 'string' || !/^[0-9]{1,15}$/.test(raw)) throw notFound();
  const id = Number(raw);
  if (!Number.isSafeInteger(id) || id <= 0) throw notFound();
  return id;
}

/** A text field of a posted form, or '' when absent or not text. */
export function bodyField(request: FastifyRequest, name: string): string {
  const value = (request.body as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value : '';
}
