import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { formatCentreId } from '../../../domain/centre-id.js';
import { HttpError, notFound } from '../../../plugins/errors.js';
import { LINK_LIFETIME_HOURS, linkUrl, type LinkPurpose } from '../../../services/accounts/links.js';
import { removeSecondFactor } from '../../../services/accounts/second-factor.js';
import { requestActor } from '../../../services/audit.js';
import { formatParisDateTime } from '../../../domain/paris-time.js';
import { changeManagerCentre, createManager, renewManagerLink, setManagerDisabled } from './lifecycle.js';
import { isPlausibleEmail } from '../../../domain/email.js';
import { allCentresBrief, getCentre } from '../centres/queries.js';
import { accountState, SIGN_IN_METHOD_LABELS, signInMeans } from '../../../domain/account-state.js';
import { hasIdentityProvider } from '../../../config.js';
import type { SignInMethod } from '../../../db/schema.js';
import { accountWithEmail, getManager, listManagers, managerCentres } from './queries.js';
import { idParam, positiveInteger } from '../../../plugins/params.js';

type Params = { Params: { id: string } };

/**
 * Hands a one-time link over: emailed when SMTP is configured (then back to the manager's page),
 * otherwise shown to the administrator to pass on, in this response only: a flash would keep the
 * link in the session's row for hours. Either way the link itself is never stored.
 */
async function handOverLink(
  app: FastifyInstance,
  reply: FastifyReply,
  manager: { id: number; email: string; display_name: string },
  link: { purpose: LinkPurpose; secret: string },
) {
  const { purpose } = link;
  const url = linkUrl(app.config.publicUrl, link.secret);
  const what = purpose === 'activation' ? 'd’activation' : 'de réinitialisation du mot de passe';
  const mailSubject = purpose === 'activation' ? 'QCM-AIPR : activez votre compte de gestionnaire' : 'QCM-AIPR : réinitialisation de votre mot de passe';
  const mailText = `Bonjour ${manager.display_name},\n\nPour choisir votre mot de passe sur la plateforme QCM-AIPR, ouvrez ce lien (valable ${LINK_LIFETIME_HOURS} heures, une seule fois) :\n${url}\n\nSi vous n’êtes pas à l’origine de cette demande, ignorez ce message.`;
  let mailFailed = false;
  if (app.mailer.enabled) {
    try {
      await app.mailer.send({ to: manager.email, subject: mailSubject, text: mailText });
      reply.flash('success', `Le lien ${what} a été envoyé à ${manager.email} (valable ${LINK_LIFETIME_HOURS} heures).`);
      return reply.redirect(`/admin/gestionnaires/${manager.id}`, 303);
    } catch (err) {
      app.log.warn({ err }, 'sending the account link failed');
      mailFailed = true;
    }
  }
  return reply.render(
    'admin/managers/link',
    { manager, url, what, mailFailed, hours: LINK_LIFETIME_HOURS, mailSubject, mailText },
    { title: 'Lien à transmettre' },
  );
}

/** « 07/12/2026 à 10 h 00 (Cerbère) », or « jamais ». */
function lastSignInText(last: { at: string; method: SignInMethod | null } | null): string {
  if (!last) return 'jamais';
  return `${formatParisDateTime(last.at)}${last.method ? ` (${SIGN_IN_METHOD_LABELS[last.method]})` : ''}`;
}

/** The administrator creates manager accounts and links them to centres (admin area). */
export default async function managerAdminRoutes(app: FastifyInstance) {
  app.get('/admin/gestionnaires', async (_request, reply) => {
    const [managers, centres] = await Promise.all([listManagers(app.db, hasIdentityProvider(app.config)), allCentresBrief(app.db)]);
    const centreLabel = new Map(centres.map((c) => [c.id, `${formatCentreId(c.id)} — ${c.name}`]));
    return reply.render(
      'admin/managers/list',
      {
        managers: managers.map((m) => ({
          ...m,
          lastSignInText: lastSignInText(m.lastSignIn),
          centres: m.centreIds.map((id) => centreLabel.get(id) ?? formatCentreId(id)),
        })),
      },
      { title: 'Gestionnaires de centre' },
    );
  });

  const renderNew = async (
    reply: FastifyReply,
    values: { nom: string; email: string; centre: string },
    errors: Record<string, string>,
    status = 200,
    existing: { id: number; name: string } | null = null,
  ) => {
    const centres = (await allCentresBrief(app.db)).map((c) => ({ ...c, code: formatCentreId(c.id) }));
    return reply.render('admin/managers/new', { values, errors, centres, existing }, { title: 'Créer un compte de gestionnaire', status });
  };

  app.get('/admin/gestionnaires/nouveau', async (request: FastifyRequest<{ Querystring: { centre?: string } }>, reply) =>
    renderNew(reply, { nom: '', email: '', centre: String(request.query.centre ?? '') }, {}),
  );

  app.post('/admin/gestionnaires', async (request: FastifyRequest<{ Body: { nom?: string; email?: string; centre?: string } }>, reply) => {
    const values = {
      nom: String(request.body?.nom ?? '').trim(),
      email: String(request.body?.email ?? '').trim(),
      centre: String(request.body?.centre ?? ''),
    };
    const errors: Record<string, string> = {};
    let existing: { id: number; name: string } | null = null;
    if (!values.nom) errors.nom = 'Saisissez le nom et le prénom du gestionnaire.';
    else if (values.nom.length > 200) errors.nom = 'Le nom ne doit pas dépasser 200 caractères.';
    if (!isPlausibleEmail(values.email)) errors.email = 'Saisissez une adresse électronique valide.';
    else {
      const taken = await accountWithEmail(app.db, values.email);
      if (taken?.role === 'manager') {
        errors.email = 'Un compte de gestionnaire existe déjà avec cette adresse électronique : ouvrez sa fiche pour le rattacher à un autre centre.';
        existing = { id: taken.id, name: taken.display_name };
      } else if (taken) errors.email = 'Un compte existe déjà avec cette adresse électronique.';
    }
    const centreId = positiveInteger(values.centre);
    const centre = centreId === null ? undefined : await getCentre(app.db, centreId);
    if (!centre) errors.centre = 'Choisissez le centre auquel rattacher ce gestionnaire.';
    if (Object.keys(errors).length > 0 || !centre) return renderNew(reply, values, errors, 400, existing);

    // With an identity provider, the manager signs in through it at once: no password, no link.
    const providers = hasIdentityProvider(app.config);
    const { id, secret } = await createManager(
      app.db,
      app.clock,
      { email: values.email, displayName: values.nom, centreId: centre.id, activationLink: !providers },
      { actor: requestActor(request) },
    );
    if (secret === null) {
      reply.flash('success', `Le compte est créé : ${values.nom} se connecte avec son compte Cerbère, à l’adresse ${values.email}.`);
      return reply.navigate(`/admin/gestionnaires/${id}`);
    }
    return handOverLink(app, reply, { id, email: values.email, display_name: values.nom }, { purpose: 'activation', secret });
  });

  app.get('/admin/gestionnaires/:id', async (request: FastifyRequest<Params>, reply) => {
    const manager = await getManager(app.db, idParam(request.params.id));
    if (!manager) throw notFound();
    const [linked, all] = await Promise.all([managerCentres(app.db, manager.id), allCentresBrief(app.db)]);
    const linkedIds = new Set(linked.map((c) => c.id));
    return reply.render(
      'admin/managers/show',
      {
        manager,
        state: accountState(manager, hasIdentityProvider(app.config)),
        means: signInMeans({ hasPassword: manager.password_hash !== null, linked: Boolean(manager.linked) }, hasIdentityProvider(app.config)),
        lastSignInText: lastSignInText(manager.last_sign_in_at ? { at: manager.last_sign_in_at, method: manager.last_sign_in_method } : null),
        // LOCAL_SIGN_IN=admins or off: a manager's password would never be asked for.
        passwordLinks: app.config.localSignIn === 'on',
        secondFactorSince: manager.totp_enabled_at ? formatParisDateTime(manager.totp_enabled_at) : null,
        linked: linked.map((c) => ({ ...c, code: formatCentreId(c.id) })),
        linkable: all.filter((c) => !linkedIds.has(c.id)).map((c) => ({ ...c, code: formatCentreId(c.id) })),
      },
      { title: manager.display_name },
    );
  });

  app.post('/admin/gestionnaires/:id/centres', async (request: FastifyRequest<Params & { Body: { centre?: string } }>, reply) => {
    const manager = await getManager(app.db, idParam(request.params.id));
    if (!manager) throw notFound();
    const centreId = positiveInteger(request.body?.centre);
    const centre = centreId === null ? undefined : await getCentre(app.db, centreId);
    if (!centre) {
      reply.flash('error', 'Choisissez un centre à rattacher.');
      return reply.redirect(`/admin/gestionnaires/${manager.id}`, 303);
    }
    await changeManagerCentre(app.db, app.clock, { managerId: manager.id, centreId: centre.id, linked: true }, { actor: requestActor(request) });
    reply.flash('success', `Compte rattaché au centre ${formatCentreId(centre.id)} : ${manager.display_name}.`);
    return reply.redirect(`/admin/gestionnaires/${manager.id}`, 303);
  });

  app.post('/admin/gestionnaires/:id/centres/:centreId/detacher', async (request: FastifyRequest<{ Params: { id: string; centreId: string } }>, reply) => {
    const manager = await getManager(app.db, idParam(request.params.id));
    if (!manager) throw notFound();
    const centre = await getCentre(app.db, idParam(request.params.centreId));
    if (!centre) throw notFound();
    const centreId = centre.id;
    await changeManagerCentre(app.db, app.clock, { managerId: manager.id, centreId, linked: false }, { actor: requestActor(request) });
    reply.flash('success', `Compte détaché du centre ${formatCentreId(centreId)} : ${manager.display_name}.`);
    return reply.redirect(`/admin/gestionnaires/${manager.id}`, 303);
  });

  for (const [action, disable] of [
    ['desactiver', true],
    ['reactiver', false],
  ] as const) {
    app.post(`/admin/gestionnaires/:id/${action}`, async (request: FastifyRequest<Params>, reply) => {
      const manager = await getManager(app.db, idParam(request.params.id));
      if (!manager) throw notFound();
      await setManagerDisabled(app.db, app.clock, manager.id, disable, { actor: requestActor(request) });
      reply.flash('success', disable ? 'Le compte est désactivé : il ne peut plus se connecter.' : 'Le compte est réactivé.');
      return reply.redirect(`/admin/gestionnaires/${manager.id}`, 303);
    });
  }

  // For a manager who lost both the phone and the recovery codes: the next sign-in asks for the password only.
  app.post('/admin/gestionnaires/:id/double-authentification/retirer', async (request: FastifyRequest<Params>, reply) => {
    const manager = await getManager(app.db, idParam(request.params.id));
    if (!manager) throw notFound();
    const removed = await removeSecondFactor(app.db, app.clock, manager.id, { actor: requestActor(request) });
    reply.flash(
      removed ? 'success' : 'info',
      removed
        ? `La double authentification de ${manager.display_name} est retirée : la prochaine connexion ne demandera que le mot de passe.`
        : `${manager.display_name} n’a pas de double authentification.`,
    );
    return reply.navigate(`/admin/gestionnaires/${manager.id}`);
  });

  app.post('/admin/gestionnaires/:id/lien', async (request: FastifyRequest<Params>, reply) => {
    const manager = await getManager(app.db, idParam(request.params.id));
    if (!manager) throw notFound();
    if (app.config.localSignIn !== 'on') {
      throw new HttpError(409, 'Sur cette plateforme, les gestionnaires se connectent avec Cerbère, jamais par mot de passe : aucun lien n’est à transmettre.');
    }
    const link = await renewManagerLink(app.db, app.clock, manager.id, { actor: requestActor(request) });
    if (!link) throw notFound();
    return handOverLink(app, reply, manager, link);
  });
}
