import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { formatCentreId, parseCentreId } from '../../../domain/centre-id.js';
import { parisDate, parisStartOfDay } from '../../../domain/paris-time.js';
import { notFound } from '../../../plugins/errors.js';
import { requestActor } from '../../../services/audit.js';
import { recogniseCentre, setCentreSuspension, updateCentreFields } from './lifecycle.js';
import { accountState } from '../../../domain/account-state.js';
import { centreManagers, getCentre, listCentres } from './queries.js';
import { readCentreForm, type CentreForm } from './form.js';
import { idParam } from '../../../plugins/params.js';
import { readSignatoryForm, signatoryValues, type SignatoryForm, type SignatoryValues } from '../../../domain/centre-signatory.js';
import { findSignatory, updateSignatory } from '../../../services/centres/signatory.js';

type Params = { Params: { id: string } };

/** The administrator recognises, edits, suspends and reactivates exam centres (admin area). */
export default async function centreAdminRoutes(app: FastifyInstance) {
  app.get('/admin/centres', async (request: FastifyRequest<{ Querystring: { q?: string } }>, reply) => {
    const text = String(request.query.q ?? '')
      .trim()
      .slice(0, 100);
    const yearStart = parisStartOfDay(`${parisDate(app.clock.now()).slice(0, 4)}-01-01`).toISOString();
    const centres = await listCentres(app.db, { text, centreNumber: parseCentreId(text) }, yearStart);
    return reply.render('admin/centres/list', { q: text, centres: centres.map((c) => ({ ...c, code: formatCentreId(c.id) })) }, { title: 'Centres d’examen' });
  });

  app.get('/admin/centres/nouveau', async (_request, reply) =>
    reply.render(
      'admin/centres/form',
      { values: { nom: '', adresse: '', siret: '', email: '' }, errors: {}, centre: null },
      { title: 'Reconnaître un centre' },
    ),
  );

  app.post('/admin/centres', async (request: FastifyRequest<{ Body: CentreForm }>, reply) => {
    const { values, errors, fields } = readCentreForm(request.body);
    if (!fields) return reply.render('admin/centres/form', { values, errors, centre: null }, { title: 'Reconnaître un centre', status: 400 });
    const id = await recogniseCentre(app.db, app.clock, fields, { actor: requestActor(request) });
    reply.flash('success', `Le centre « ${fields.name} » est reconnu sous l’identifiant ${formatCentreId(id)}.`);
    return reply.redirect(`/admin/centres/${id}`, 303);
  });

  async function renderCentre(
    reply: FastifyReply,
    centre: NonNullable<Awaited<ReturnType<typeof getCentre>>>,
    form: { values: Record<string, string>; errors: Record<string, string> } | null,
    signatoryForm: { values: SignatoryValues; errors: Record<string, string> } | null,
    status = 200,
  ) {
    const managers = (await centreManagers(app.db, centre.id)).map((m) => ({ ...m, state: accountState(m) }));
    const signatory = await findSignatory(app.db, centre.id);
    return reply.render(
      'admin/centres/show',
      {
        centre: { ...centre, code: formatCentreId(centre.id) },
        managers,
        values: form?.values ?? { nom: centre.name, adresse: centre.address, siret: centre.siret, email: centre.contact_email },
        errors: form?.errors ?? {},
        signatory: signatoryForm ?? { values: signatory ? signatoryValues(signatory) : {}, errors: {} },
      },
      { title: centre.name, status },
    );
  }

  app.get('/admin/centres/:id', async (request: FastifyRequest<Params>, reply) => {
    const centre = await getCentre(app.db, idParam(request.params.id));
    if (!centre) throw notFound();
    return renderCentre(reply, centre, null, null);
  });

  app.post('/admin/centres/:id', async (request: FastifyRequest<Params & { Body: CentreForm }>, reply) => {
    const centre = await getCentre(app.db, idParam(request.params.id));
    if (!centre) throw notFound();
    const { values, errors, fields } = readCentreForm(request.body);
    if (!fields) return renderCentre(reply, centre, { values, errors }, null, 400);
    await updateCentreFields(app.db, app.clock, centre.id, fields, { actor: requestActor(request) });
    reply.flash('success', 'Les informations du centre sont enregistrées.');
    return reply.redirect(`/admin/centres/${centre.id}`, 303);
  });

  app.post('/admin/centres/:id/signataire', async (request: FastifyRequest<Params & { Body: SignatoryForm }>, reply) => {
    const centre = await getCentre(app.db, idParam(request.params.id));
    if (!centre) throw notFound();
    const form = readSignatoryForm(request.body);
    if (!form.fields) return renderCentre(reply, centre, null, form, 400);
    await updateSignatory(app.db, app.clock, centre.id, form.fields, { actor: requestActor(request) });
    reply.flash('success', 'Le signataire des attestations est enregistré.');
    return reply.redirect(`/admin/centres/${centre.id}#signataire`, 303);
  });

  app.post('/admin/centres/:id/suspendre', async (request: FastifyRequest<Params & { Body: { motif?: string } }>, reply) => {
    const centre = await getCentre(app.db, idParam(request.params.id));
    if (!centre) throw notFound();
    const reason = String(request.body?.motif ?? '')
      .trim()
      .slice(0, 500);
    if (!reason) {
      reply.flash('error', 'Indiquez le motif de la suspension : il est affiché aux gestionnaires du centre.');
      return reply.redirect(`/admin/centres/${centre.id}#suspension`, 303);
    }
    await setCentreSuspension(app.db, app.clock, centre.id, { suspended: true, reason }, { actor: requestActor(request) });
    reply.flash('success', 'Le centre est suspendu : il ne peut plus générer de jetons ni faire passer d’examen.');
    return reply.redirect(`/admin/centres/${centre.id}`, 303);
  });

  app.post('/admin/centres/:id/reactiver', async (request: FastifyRequest<Params>, reply) => {
    const centre = await getCentre(app.db, idParam(request.params.id));
    if (!centre) throw notFound();
    await setCentreSuspension(app.db, app.clock, centre.id, { suspended: false }, { actor: requestActor(request) });
    reply.flash('success', 'Le centre est de nouveau actif.');
    return reply.redirect(`/admin/centres/${centre.id}`, 303);
  });
}
