import fastifyMultipart, { type MultipartFile, type MultipartValue } from '@fastify/multipart';
import fp from 'fastify-plugin';

/** The largest file accepted: a bank of a few hundred questions, some with images of up to 1 MB. */
export const MAX_UPLOAD_BYTES = 20 * 1024 * 1024;

/**
 * Multipart forms arrive with their fields and files on request.body (so that the CSRF check
 * reads the token as for any form); a file over the limit is answered 413 with a French page.
 */
export default fp(
  async (app) => {
    await app.register(fastifyMultipart, {
      attachFieldsToBody: true,
      limits: { fileSize: MAX_UPLOAD_BYTES, files: 2, fields: 20 },
    });
  },
  { name: 'uploads' },
);

/** A file part of a multipart form, or null when the input was left empty. */
export function uploadedFile(body: unknown, name: string): MultipartFile | null {
  const part = (body as Record<string, unknown> | undefined)?.[name] as MultipartFile | undefined;
  return part && part.type === 'file' && part.filename ? part : null;
}

/** A text part of a multipart form, or '' when absent. */
export function uploadedText(body: unknown, name: string): string {
  const part = (body as Record<string, unknown> | undefined)?.[name] as MultipartValue | undefined;
  return part && part.type === 'field' && typeof part.value === 'string' ? part.value : '';
}
