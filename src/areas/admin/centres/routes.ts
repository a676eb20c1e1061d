import { hasIdentityProvider } from '../../../config.js';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { formatCentreId, parseCentreId } from '../../../domain/centre-id.js';
import { formatParisDateTime, parisDate, parisStartOfDay } from '../../../domain/paris-time.js';
import { notFound } from '../../../plugins/errors.js';
import { requestActor } from '../../../services/audit.js';
import { recogniseCentre, setCentreSuspension, updateCentreFields } from './lifecycle.js';
import { accountState } from '../../../domain/account-state.js';
import { centreActivity, centreManagers, getCentre, latestSuspension, listCentres, otherCentresWithSiret, type CentreBrief } from './queries.js';
import { normalizeSiret, SHARED_SIRET_LABEL, sharedSiretMessage } from '../../../domain/siret.js';
import { readCentreForm, SHARED_SIRET_REASON_MAX, type CentreForm } from './form.js';
import { bodyField, idParam } from '../../../plugins/params.js';
import { readSignatoryForm, signatoryValues, type SignatoryForm, type SignatoryValues } from '../../../domain/centre-signatory.js';
import { findSignatory, updateSignatory } from '../../../services/centres/signatory.js';
import { centreDailyQuota, nationalDailyQuota } from '../../../services/centres/token-quota.js';
import { DAILY_QUOTA_MAX, DAILY_QUOTA_MIN, parseCentreDailyQuota, parseNationalDailyQuota, quotaUsageText } from '../../../domain/token-quota.js';
import { closingSentence, formatInteger, plural } from '../../../domain/french.js';
import { setCentreDailyQuota, setNationalDailyQuota } from './lifecycle.js';

type Params = { Params: { id: string } };

/** A one-field form as typed, and its message. */
interface FieldForm {
  value: string;
  error?: string;
}

const QUOTA_RANGE = { min: DAILY_QUOTA_MIN, max: DAILY_QUOTA_MAX, maxText: formatInteger(DAILY_QUOTA_MAX) };

/** The administrator recognises, edits, suspends and reactivates exam centres (admin area). */
export default async function centreAdminRoutes(app: FastifyInstance) {
  async function renderList(reply: FastifyReply, search: string | undefined, nationalQuota: FieldForm | null, status = 200) {
    const text = String(search ?? '')
      .trim()
      .slice(0, 100);
    const yearStart = parisStartOfDay(`${parisDate(app.clock.now()).slice(0, 4)}-01-01`).toISOString();
    const [centres, national] = await Promise.all([listCentres(app.db, { text, centreNumber: parseCentreId(text) }, yearStart), nationalDailyQuota(app.db)]);
    return reply.render(
      'admin/centres/list',
      {
        q: text,
        centres: centres.map((c) => ({ ...c, code: formatCentreId(c.id) })),
        nationalQuota: nationalQuota ?? { value: String(national) },
        quotaRange: QUOTA_RANGE,
      },
      { title: 'Centres d’examen', status },
    );
  }

  app.get('/admin/centres', async (request: FastifyRequest<{ Querystring: { q?: string } }>, reply) => renderList(reply, request.query.q, null));

  app.post('/admin/centres/quota-national', async (request, reply) => {
    const raw = bodyField(request, 'quota_national');
    const parsed = parseNationalDailyQuota(raw);
    if (!parsed.ok) return renderList(reply, '', { value: raw, error: parsed.message }, 400);
    await setNationalDailyQuota(app.db, app.clock, parsed.value, { actor: requestActor(request) });
    reply.flash('success', `Le quota national par défaut est de ${plural(parsed.value, 'jeton')} par jour et par centre.`);
    return reply.redirect('/admin/centres', 303);
  });

  app.get('/admin/centres/nouveau', async (_request, reply) =>
    reply.render(
      'admin/centres/form',
      { values: { nom: '', adresse: '', siret: '', email: '', siret_partage: '', siret_motif: '' }, errors: {}, siretSharing: null, centre: null },
      { title: 'Reconnaître un centre' },
    ),
  );

  /**
   * A refused centre form as typed, with its messages: a SIRET already known (`sharedWith`, told by
   * the write; looked up here when another field is wrong, so that every message comes at once) is
   * refused at its field, naming the centres, unless the box « Autre site de la même entreprise »
   * is ticked; the box and its reason are offered from then on.
   */
  async function refusedCentreForm(form: ReturnType<typeof readCentreForm>, edited: { id: number; siret: string } | null, sharedWith?: CentreBrief[]) {
    const siret = normalizeSiret(form.values.siret);
    const others = sharedWith ?? (siret ? await otherCentresWithSiret(app.db, siret, edited) : []);
    const errors = { ...form.errors };
    if (others.length > 0 && !form.values.siret_partage) errors.siret = sharedSiretMessage(others);
    const offered = others.length > 0 || form.values.siret_partage !== '';
    return { values: form.values, errors, siretSharing: offered ? { label: SHARED_SIRET_LABEL, reasonMax: SHARED_SIRET_REASON_MAX } : null };
  }

  app.post('/admin/centres', async (request: FastifyRequest<{ Body: CentreForm }>, reply) => {
    const form = readCentreForm(request.body);
    const outcome = form.fields ? await recogniseCentre(app.db, app.clock, form.fields, form.sharing, { actor: requestActor(request) }) : undefined;
    if (outcome?.ok) {
      reply.flash('success', `Le centre « ${form.values.nom} » est reconnu sous l’identifiant ${formatCentreId(outcome.id)}.`);
      return reply.redirect(`/admin/centres/${outcome.id}`, 303);
    }
    const shown = await refusedCentreForm(form, null, outcome?.sharedWith);
    return reply.render('admin/centres/form', { ...shown, centre: null }, { title: 'Reconnaître un centre', status: 400 });
  });

  /** The centre's page; a form given is shown as typed, with its messages (the others as stored). */
  async function renderCentre(
    reply: FastifyReply,
    centre: NonNullable<Awaited<ReturnType<typeof getCentre>>>,
    forms: {
      info?: Awaited<ReturnType<typeof refusedCentreForm>>;
      signatory?: { values: SignatoryValues; errors: Record<string, string> };
      quota?: FieldForm;
    } = {},
    status = 200,
  ) {
    const managers = (await centreManagers(app.db, centre.id)).map((m) => ({ ...m, state: accountState(m, hasIdentityProvider(app.config)) }));
    const suspension = centre.status === 'suspended' ? await latestSuspension(app.db, centre.id) : undefined;
    const signatory = await findSignatory(app.db, centre.id);
    const day = (await centreDailyQuota(app.db, centre.id, app.clock.now()))!;
    return reply.render(
      'admin/centres/show',
      {
        centre: { ...centre, code: formatCentreId(centre.id) },
        managers,
        suspendedBy: suspension ? { at: formatParisDateTime(suspension.at), by: suspension.actor_label } : null,
        suspensionReasonText: closingSentence(centre.suspension_reason?.trim() || 'motif non précisé'),
        values: forms.info?.values ?? { nom: centre.name, adresse: centre.address, siret: centre.siret, email: centre.contact_email },
        errors: forms.info?.errors ?? {},
        siretSharing: forms.info?.siretSharing ?? null,
        signatory: forms.signatory ?? { values: signatory ? signatoryValues(signatory) : {}, errors: {} },
        quota: {
          form: forms.quota ?? { value: day.centreQuota === null ? '' : String(day.centreQuota) },
          usage: quotaUsageText(day),
          own: day.centreQuota !== null,
          national: plural(day.nationalQuota, 'jeton'),
          range: QUOTA_RANGE,
        },
      },
      { title: centre.name, status },
    );
  }

  app.get('/admin/centres/:id', async (request: FastifyRequest<Params>, reply) => {
    const centre = await getCentre(app.db, idParam(request.params.id));
    if (!centre) throw notFound();
    return renderCentre(reply, centre);
  });

  app.post('/admin/centres/:id', async (request: FastifyRequest<Params & { Body: CentreForm }>, reply) => {
    const centre = await getCentre(app.db, idParam(request.params.id));
    if (!centre) throw notFound();
    const form = readCentreForm(request.body);
    const outcome = form.fields
      ? await updateCentreFields(app.db, app.clock, centre.id, form.fields, form.sharing, { actor: requestActor(request) })
      : undefined;
    if (outcome === null) throw notFound();
    if (!outcome?.ok) return renderCentre(reply, centre, { info: await refusedCentreForm(form, centre, outcome?.sharedWith) }, 400);
    reply.flash('success', 'Les informations du centre sont enregistrées.');
    return reply.redirect(`/admin/centres/${centre.id}`, 303);
  });

  app.post('/admin/centres/:id/signataire', async (request: FastifyRequest<Params & { Body: SignatoryForm }>, reply) => {
    const centre = await getCentre(app.db, idParam(request.params.id));
    if (!centre) throw notFound();
    const form = readSignatoryForm(request.body);
    if (!form.fields) return renderCentre(reply, centre, { signatory: form }, 400);
    await updateSignatory(app.db, app.clock, centre.id, form.fields, { actor: requestActor(request) });
    reply.flash('success', 'Le signataire des attestations est enregistré.');
    return reply.redirect(`/admin/centres/${centre.id}#signataire`, 303);
  });

  app.post('/admin/centres/:id/quota', async (request: FastifyRequest<Params>, reply) => {
    const centre = await getCentre(app.db, idParam(request.params.id));
    if (!centre) throw notFound();
    const raw = bodyField(request, 'quota_quotidien');
    const parsed = parseCentreDailyQuota(raw);
    if (!parsed.ok) return renderCentre(reply, centre, { quota: { value: raw, error: parsed.message } }, 400);
    await setCentreDailyQuota(app.db, app.clock, centre.id, parsed.value, { actor: requestActor(request) });
    reply.flash(
      'success',
      parsed.value === null ? 'Le centre suit désormais le quota national par défaut.' : `Le quota du centre est de ${plural(parsed.value, 'jeton')} par jour.`,
    );
    return reply.redirect(`/admin/centres/${centre.id}#quota`, 303);
  });

  app.post('/admin/centres/:id/suspendre', async (request: FastifyRequest<Params & { Body: { motif?: string; confirme?: string } }>, reply) => {
    const centre = await getCentre(app.db, idParam(request.params.id));
    if (!centre) throw notFound();
    const reason = String(request.body?.motif ?? '')
      .trim()
      .slice(0, 500);
    if (!reason) {
      reply.flash('error', 'Indiquez le motif de la suspension : il est affiché aux gestionnaires du centre.');
      return reply.redirect(`/admin/centres/${centre.id}#suspension`, 303);
    }
    // A suspension stops a whole centre at once: the administrator sees what it stops and what
    // carries on before confirming.
    if (request.body?.confirme !== '1') {
      const activity = await centreActivity(app.db, centre.id);
      return reply.render(
        'admin/centres/confirm-suspend',
        { centre: { ...centre, code: formatCentreId(centre.id) }, reason, activity },
        { title: `Suspendre ${centre.name}` },
      );
    }
    await setCentreSuspension(app.db, app.clock, centre.id, { suspended: true, reason }, { actor: requestActor(request) });
    reply.flash(
      'success',
      'Le centre est suspendu : ses gestionnaires ne peuvent plus générer de jetons ni créer ou ouvrir de session, et aucun examen ne peut commencer ; les examens déjà commencés se poursuivent jusqu’à leur fin.',
    );
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
