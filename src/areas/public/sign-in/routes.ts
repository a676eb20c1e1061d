import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ACCOUNT_ALERT_POLICY, retryMessage } from '../../../domain/throttle.js';
import { activeAdministratorEmails } from '../../../services/accounts/queries.js';
import { requestActor } from '../../../services/audit.js';
import { IDLE_LIMIT_MINUTES, safeNextPath } from '../../../plugins/auth.js';
import { attemptSignIn, recordSignOut } from './lifecycle.js';
import type { Role } from '../../../db/schema.js';

interface SignInBody {
  email?: string;
  mot_de_passe?: string;
  suivant?: string;
}

function homeOf(role: Role): string {
  return role === 'admin' ? '/admin' : '/centre';
}

function renderForm(reply: FastifyReply, values: { email: string; suivant: string }, extra: Record<string, unknown> = {}, status = 200) {
  return reply.render('public/sign-in/sign-in', { values, ...extra }, { title: 'Connexion', status });
}

export default async function authRoutes(app: FastifyInstance) {
  /**
   * Many failed sign-ins on one account within the hour (from anywhere): the journal has the alert,
   * and each national administrator is told by e-mail when mail is configured.
   */
  async function alertAdministrators(account: string) {
    if (!app.mailer.enabled) return;
    const recipients = await activeAdministratorEmails(app.db);
    // One address refused by the mail server must not keep the others from being told.
    const sent = await Promise.allSettled(
      recipients.map((to) =>
        app.mailer.send({
          to,
          subject: 'QCM-AIPR : tentatives de connexion répétées sur un compte',
        text: `Bonjour,\n\nLe compte ${account} a reçu au moins ${ACCOUNT_ALERT_POLICY.maxFailures} tentatives de connexion infructueuses en moins de ${ACCOUNT_ALERT_POLICY.windowMs / 60_000} minutes. Le compte n’est pas bloqué pour son titulaire ; le journal d’audit (action « compte.attaque_suspectee » et « connexion.echouee ») indique les adresses en cause.\n\nCe message est envoyé automatiquement à chaque administrateur national.`,
        }),
      ),
    );
    const failed = sent.filter((r) => r.status === 'rejected').length;
    if (failed > 0) throw new Error(`the security alert reached ${recipients.length - failed} of ${recipients.length} administrators`);
  }

  app.get('/', async (request, reply) => {
    return reply.redirect(request.account ? homeOf(request.account.role) : '/connexion');
  });

  app.get('/connexion', async (request: FastifyRequest<{ Querystring: { suivant?: string; expiree?: string } }>, reply) => {
    const suivant = safeNextPath(request.query.suivant) ?? '';
    if (request.account) return reply.redirect(suivant || homeOf(request.account.role));
    const expired = request.query.expiree === '1' || request.sessionExpired;
    return renderForm(reply, { email: '', suivant }, {
      notice: expired ? `Votre session a expiré après ${IDLE_LIMIT_MINUTES} minutes d’inactivité. Reconnectez-vous pour continuer.` : null,
    });
  });

  app.post('/connexion', async (request: FastifyRequest<{ Body: SignInBody }>, reply) => {
    const email = String(request.body?.email ?? '').slice(0, 320);
    const password = String(request.body?.mot_de_passe ?? '');
    const suivant = safeNextPath(request.body?.suivant) ?? '';
    const values = { email, suivant };

    const errors: Record<string, string> = {};
    if (!email.trim()) errors.email = 'Saisissez votre adresse électronique.';
    if (!password) errors.mot_de_passe = 'Saisissez votre mot de passe.';
    if (Object.keys(errors).length > 0) return renderForm(reply, values, { errors }, 400);

    const outcome = await attemptSignIn(app.db, app.clock, { email, password, ip: request.ip }, (account) => {
      alertAdministrators(account).catch((err: unknown) => request.log.warn({ err }, 'the security alert could not be sent'));
    });
    if (!outcome.ok) {
      const message =
        outcome.reason === 'locked'
          ? `Trop de tentatives de connexion infructueuses. ${retryMessage(outcome.until, app.clock.now())}`
          : outcome.reason === 'busy'
            ? 'Trop de tentatives de connexion en même temps depuis cette adresse. Réessayez dans un instant.'
            : 'Adresse électronique ou mot de passe incorrect.';
      return renderForm(reply, values, { failure: message }, outcome.reason === 'invalid' ? 401 : 429);
    }

    // A new session id at sign-in, so that an id planted before sign-in is worth nothing after.
    await request.session.regenerate();
    request.session.accountId = outcome.accountId;
    request.session.credential = outcome.credential;
    request.session.lastSeenAt = app.clock.now().toISOString();
    return reply.redirect(suivant || homeOf(outcome.role), 303);
  });

  app.post('/deconnexion', async (request, reply) => {
    if (request.account) {
      await recordSignOut(app.db, app.clock, request.account.id, { actor: requestActor(request) });
    }
    await request.session.regenerate();
    return reply.redirect('/connexion', 303);
  });
}
