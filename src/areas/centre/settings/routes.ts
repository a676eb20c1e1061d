import type { FastifyInstance, FastifyReply } from 'fastify';
import { readSignatoryForm, signatoryValues, type SignatoryForm, type SignatoryValues } from '../../../domain/centre-signatory.js';
import { checkStampImage, STAMP_MAX_BYTES, STAMP_MAX_PIXELS } from '../../../domain/stamp-image.js';
import { notFound } from '../../../plugins/errors.js';
import { uploadedFile } from '../../../plugins/uploads.js';
import { requestActor } from '../../../services/audit.js';
import { findCurrentStamp, findSignatory, replaceStamp, updateSignatory } from '../../../services/centres/signatory.js';
import { centreOf, type CurrentCentre } from '../current-centre/scope.js';

/**
 * The centre's settings for its attestations: who signs them, where they are made, the header's
 * telephone, and the stamp printed in the signature box (manager area, scoped to the current centre).
 */
export default async function settingsRoutes(app: FastifyInstance) {
  async function renderSettings(
    reply: FastifyReply,
    centre: CurrentCentre,
    form: { values: SignatoryValues; errors: Partial<Record<keyof SignatoryForm, string>> } | null,
    stampError: string | null = null,
    status = 200,
  ) {
    const stored = await findSignatory(app.db, centre.id);
    if (!stored) throw notFound();
    return reply.render(
      'centre/settings/settings',
      {
        centre,
        values: form?.values ?? signatoryValues(stored),
        errors: form?.errors ?? {},
        hasStamp: stored.stamp_id !== null,
        stampId: stored.stamp_id,
        stampError,
        stampLimits: { kilobytes: STAMP_MAX_BYTES / 1024, pixels: STAMP_MAX_PIXELS },
      },
      { title: 'Paramètres du centre', status },
    );
  }

  app.get('/centre/parametres', async (request, reply) => renderSettings(reply, centreOf(request), null));

  app.post('/centre/parametres', async (request, reply) => {
    const centre = centreOf(request);
    const form = readSignatoryForm(request.body as SignatoryForm | undefined);
    if (!form.fields) return renderSettings(reply, centre, form, null, 400);
    await updateSignatory(app.db, app.clock, centre.id, form.fields, { actor: requestActor(request) });
    reply.flash('success', 'Les paramètres des attestations sont enregistrés. Les attestations déjà imprimées gardent leur texte.');
    return reply.navigate('/centre/parametres');
  });

  app.post('/centre/parametres/cachet', async (request, reply) => {
    const centre = centreOf(request);
    const file = uploadedFile(request.body, 'cachet');
    const bytes = file ? await file.toBuffer() : Buffer.alloc(0);
    const checked = checkStampImage(bytes);
    if (!checked.ok) return renderSettings(reply, centre, null, checked.message, 400);
    await replaceStamp(app.db, app.clock, centre.id, { mime: checked.mime, data: bytes }, { actor: requestActor(request) });
    reply.flash('success', 'Le cachet est enregistré : il sera imprimé dans le cadre « Cachet du centre et signature » des prochaines attestations.');
    return reply.navigate('/centre/parametres');
  });

  app.post('/centre/parametres/cachet/retrait', async (request, reply) => {
    const centre = centreOf(request);
    await replaceStamp(app.db, app.clock, centre.id, null, { actor: requestActor(request) });
    reply.flash('success', 'Le cachet est retiré : le cadre des prochaines attestations restera vide, pour un cachet et une signature à la main.');
    return reply.navigate('/centre/parametres');
  });

  app.get('/centre/parametres/cachet', async (request, reply) => {
    const stamp = await findCurrentStamp(app.db, centreOf(request).id);
    if (!stamp) throw notFound();
    return reply.type(stamp.mime).header('cache-control', 'private, no-store').send(stamp.data);
  });
}
