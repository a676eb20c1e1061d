import fastifyMultipart from '@fastify/multipart';
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
