import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { CODE_STEP_MAX_FAILURES, CODE_STEP_VALIDITY_MS, FEW_RECOVERY_CODES, RECOVERY_CODE_LENGTH, secondFactorRequired, TOTP_DIGITS } from '../../../domain/second-factor.js';
import { plural } from '../../../domain/french.js';
import { ACCOUNT_ALERT_POLICY, retryMessage, SECOND_FACTOR_POLICY } from '../../../domain/throttle.js';
import { activeAdministratorEmails, findActiveAccount } from '../../../services/accounts/queries.js';
import { checkSecondFactor } from '../../../services/accounts/second-factor.js';
import { requestActor } from '../../../services/audit.js';
import { homeOf, IDLE_LIMIT_MINUTES, safeNextPath } from '../../../plugins/auth.js';
import { attemptSignIn, completeSignIn, recordSignOut, type ProviderIdentity } from './lifecycle.js';
import { openSignedInSession, providerButtonNames, renderForm } from './outcome.js';
import type { Role, SignInMethod } from '../../../db/schema.js';

declare module 'fastify' {
  interface Session {
    /** A sign-in whose password was right, waiting for the code of its second factor. */
    pendingSignIn?: {
      accountId: number;
      credential: string;
      role: Role;
      since: string;
      suivant: string;
      failures: number;
      method: SignInMethod;
      idToken: string | null;
      /** Through a provider: linked to the account once the code is right (completeSignIn). */
      identity: ProviderIdentity | null;
    };
    /**
     * How the session signed in: through an identity provider, sign-out also sends the browser to
     * the provider's logout (with the ID token as a hint, for OpenID Connect).
     */
    signedInWith?: { method: SignInMethod; idToken: string | null };
  }
}

interface SignInBody {
  email?: string;
  mot_de_passe?: string;
  suivant?: string;
}


function renderCodeForm(reply: FastifyReply, role: Role, extra: { error?: string; failure?: string } = {}, status = 200) {
  return reply.render(
    'public/sign-in/code',
    { digits: TOTP_DIGITS, recoveryLength: RECOVERY_CODE_LENGTH, required: secondFactorRequired(role), ...extra },
    { title: 'Code de vérification', status },
  );
}

const CODE_STEP_OVER = 'Le délai pour saisir le code est dépassé, ou trop de codes incorrects ont été saisis : reconnectez-vous.';

export default async function authRoutes(app: FastifyInstance) {
  /**
   * Many failed sign-ins on one account within the hour (from anywhere): the journal has the alert,
   * and each national administrator is told by e-mail when mail is configured.
   */
  async function alertAdministrators(account: string, what: string) {
    if (!app.mailer.enabled) return;
    const recipients = await activeAdministratorEmails(app.db);
    // One address refused by the mail server must not keep the others from being told.
    const sent = await Promise.allSettled(
      recipients.map((to) =>
        app.mailer.send({
          to,
          subject: 'QCM-AIPR : tentatives de connexion répétées sur un compte',
        text: `Bonjour,\n\nLe compte ${account} a reçu ${what}. Le journal d’audit (action « compte.attaque_suspectee » et « connexion.echouee ») indique les adresses en cause.\n\nCe message est envoyé automatiquement à chaque administrateur national.`,
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
    if (app.config.localSignIn === 'off') {
      return renderForm(reply, { email: '', suivant: '' }, { failure: `La connexion par mot de passe est désactivée sur cette plateforme : utilisez le bouton ${providerButtonNames(app.config)}.` }, 403);
    }
    const email = String(request.body?.email ?? '').slice(0, 320);
    const password = String(request.body?.mot_de_passe ?? '');
    const suivant = safeNextPath(request.body?.suivant) ?? '';
    const values = { email, suivant };

    const errors: Record<string, string> = {};
    if (!email.trim()) errors.email = 'Saisissez votre adresse électronique.';
    if (!password) errors.mot_de_passe = 'Saisissez votre mot de passe.';
    if (Object.keys(errors).length > 0) return renderForm(reply, values, { errors }, 400);

    const adminsOnly = app.config.localSignIn === 'admins';
    const outcome = await attemptSignIn(app.db, app.clock, { email, password, ip: request.ip, localSignIn: app.config.localSignIn }, (account) => {
      const what = `au moins ${ACCOUNT_ALERT_POLICY.maxFailures} tentatives de connexion infructueuses en moins de ${ACCOUNT_ALERT_POLICY.windowMs / 60_000} minutes. Le compte n’est pas bloqué pour son titulaire`;
      alertAdministrators(account, what).catch((err: unknown) => request.log.warn({ err }, 'the security alert could not be sent'));
    });
    if (!outcome.ok) {
      const message =
        outcome.reason === 'locked'
          ? `Trop de tentatives de connexion infructueuses. ${retryMessage(outcome.until, app.clock.now())}`
          : outcome.reason === 'busy'
            ? 'Trop de tentatives de connexion en même temps depuis cette adresse. Réessayez dans un instant.'
            : adminsOnly
              ? `Adresse électronique ou mot de passe incorrect. Seuls les administrateurs nationaux se connectent ici par mot de passe ; les gestionnaires de centre utilisent le bouton ${providerButtonNames(app.config)}.`
              : 'Adresse électronique ou mot de passe incorrect.';
      return renderForm(reply, values, { failure: message }, outcome.reason === 'invalid' ? 401 : 429);
    }

    return openSignedInSession(request, reply, outcome, suivant, { method: 'mot de passe' });
  });

  /** The sign-in waiting for its code, while it may still be finished. */
  function pendingOf(request: FastifyRequest) {
    const pending = request.session.pendingSignIn;
    if (!pending) return null;
    if (app.clock.now().getTime() - Date.parse(pending.since) > CODE_STEP_VALIDITY_MS) return null;
    return pending;
  }

  app.get('/connexion/code', async (request, reply) => {
    if (!pendingOf(request)) {
      request.session.pendingSignIn = undefined;
      return reply.redirect('/connexion');
    }
    return renderCodeForm(reply, pendingOf(request)!.role);
  });

  app.post('/connexion/code', async (request: FastifyRequest<{ Body: { code?: string } }>, reply) => {
    const pending = pendingOf(request);
    if (!pending) {
      request.session.pendingSignIn = undefined;
      return renderForm(reply, { email: '', suivant: '' }, { notice: CODE_STEP_OVER }, 401);
    }
    const typed = String(request.body?.code ?? '').slice(0, 100);
    if (!typed.trim()) return renderCodeForm(reply, pending.role, { error: 'Saisissez le code affiché par votre application, ou un code de secours.' }, 400);

    // The account may have been disabled, or its password changed, since the password step.
    const account = await findActiveAccount(app.db, pending.accountId, pending.credential);
    if (!account) {
      request.session.pendingSignIn = undefined;
      return renderForm(reply, { email: '', suivant: '' }, { notice: CODE_STEP_OVER }, 401);
    }
    const actor = { accountId: account.id, label: account.email, ip: request.ip };
    const check = await checkSecondFactor(app.db, app.clock, { accountId: account.id, typed }, { actor });
    if (!check.ok) {
      if (check.reason === 'locked') {
        if (check.alert) {
          const what = `${SECOND_FACTOR_POLICY.maxFailures} codes de vérification incorrects en moins de ${SECOND_FACTOR_POLICY.windowMs / 60_000} minutes, après le bon mot de passe : son mot de passe est sans doute connu d’un tiers. La saisie des codes de ce compte est suspendue pendant ${SECOND_FACTOR_POLICY.lockMs / 60_000} minutes`;
          alertAdministrators(account.email, what).catch((err: unknown) => request.log.warn({ err }, 'the security alert could not be sent'));
        }
        return renderCodeForm(reply, pending.role, { failure: `Trop de codes incorrects pour ce compte. ${retryMessage(check.until, app.clock.now())}` }, 429);
      }
      pending.failures += 1;
      if (pending.failures >= CODE_STEP_MAX_FAILURES) {
        request.session.pendingSignIn = undefined;
        return renderForm(reply, { email: '', suivant: '' }, { failure: CODE_STEP_OVER }, 401);
      }
      return renderCodeForm(reply, pending.role, { error: 'Code incorrect ou déjà utilisé. Saisissez le code affiché maintenant par votre application (vérifiez que votre téléphone est à l’heure), ou un code de secours non utilisé.' }, 401);
    }

    await completeSignIn(app.db, app.clock, actor, {
      method: pending.method,
      secondFactor: check.method === 'totp' ? 'application' : 'code de secours',
      identity: pending.identity,
    });
    await request.session.regenerate();
    request.session.accountId = account.id;
    request.session.credential = pending.credential;
    request.session.lastSeenAt = app.clock.now().toISOString();
    request.session.signedInWith = { method: pending.method, idToken: pending.idToken };
    if (check.method === 'recovery' && check.unusedRecoveryCodes <= FEW_RECOVERY_CODES) {
      reply.flash(
        'warning',
        check.unusedRecoveryCodes === 0
          ? 'Vous avez utilisé votre dernier code de secours : générez-en de nouveaux dans « Mon compte ».'
          : `Il vous reste ${plural(check.unusedRecoveryCodes, 'code')} de secours : générez-en de nouveaux dans « Mon compte ».`,
      );
    }
    return reply.redirect(pending.suivant || homeOf(account.role), 303);
  });

  app.post('/deconnexion', async (request, reply) => {
    if (request.account) {
      await recordSignOut(app.db, app.clock, request.account.id, { actor: requestActor(request) });
    }
    const signedOut = request.account !== null;
    const through = request.session.signedInWith;
    await request.session.regenerate();
    // Said on the sign-in page, so that whoever sits at a shared computer next knows the last user left.
    if (signedOut) reply.flash('success', 'Vous êtes déconnecté. Pour revenir, reconnectez-vous.');
    // Signed in through a provider: its own sign-in ends too, or the next person at this computer
    // would be let in by the provider without a password. It sends the browser back here.
    const { oidc, cas } = app.identityProviders;
    const providerLogout =
      !signedOut || !through ? null : through.method === 'oidc' && oidc ? await oidc.logoutUrl(through.idToken) : through.method === 'cas' && cas ? cas.logoutUrl() : null;
    return reply.navigate(providerLogout ?? '/connexion');
  });
}
