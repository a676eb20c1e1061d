import type { FastifyReply } from 'fastify';
import { notFound } from './errors.js';

/**
 * The one way to send a question's image, to the administrator's preview or to a candidate. An SVG
 * opened on its own could run script: this policy forbids it (and an <img> never runs it anyway).
 */
export function sendQuestionImage(
  reply: FastifyReply,
  image: { image_mime: string | null; image_data: Buffer | null } | undefined,
  // The administrator's preview may be cached; a kiosk keeps nothing of a candidate's exam (the
  // default of plugins/security-headers.ts).
  cache: 'private' | 'no-store',
) {
  if (!image?.image_data || !image.image_mime) throw notFound();
  if (cache === 'private') reply.header('cache-control', 'private, max-age=3600');
  return reply.header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; sandbox").type(image.image_mime).send(image.image_data);
}
