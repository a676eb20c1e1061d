import { addressPrefix } from '../../../domain/address-prefix.js';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { hashPassword, passwordProblem } from '../../../services/accounts/passwords.js';
import { FORGOTTEN_PASSWORD_ACCOUNT_POLICY, FORGOTTEN_PASSWORD_POLICY, retryMessage } from '../../../domain/throttle.js';
import { isPlausibleEmail } from '../../../domain/email.js';
import { countFailure, latestLock } from '../../../services/throttle-store.js';
import { requestPasswordReset } from './lifecycle.js';
import { passwordAllowed } from '../../../domain/account-state.js';
import { HttpError } from '../../../plugins/errors.js';
import { consumeLinkAndSetPassword, findUsableLink, LINK_LIFETIME_HOURS, linkUrl } from '../../../services/accounts/links.js';

type Params = { Params: { secret: string } };

const EXPIRED = `Ce lien n’est plus valable : il a déjà servi ou a expiré (${LINK_LIFETIME_HOURS} heures). Demandez un nouveau lien à l’administration nationale.`;

async function sendResetLink(app: FastifyInstance, email: string, ip: string): Promise<void> {
  const reset = await requestPasswordReset(app.db, app.clock, { email, ip, localSignIn: app.config.localSignIn });
  if (!reset) return;
  await app.mailer.send({
    to: reset.email,
    subject: 'QCM-AIPR : réinitialisation de votre mot de passe',
    text: `Bonjour ${reset.displayName},\n\nPour choisir un nouveau mot de passe, ouvrez ce lien (valable ${LINK_LIFETIME_HOURS} heures, une seule fois) :\n${linkUrl(app.config.publicUrl, reset.secret)}\n\nSi vous n’êtes pas à l’origine de cette demande, ignorez ce message.`,
  });
}

const NO_PASSWORDS = 'Sur cette plateforme, la connexion se fait avec Cerbère : aucun mot de passe n’est à choisir ni à réinitialiser.';
const NO_PASSWORD_FOR_MANAGERS =
  'Sur cette plateforme, les gestionnaires de centre se connectent avec Cerbère : ce lien ne permet plus de choisir un mot de passe.';

/**
 * Where a person sets their own password, through the one-time link they were given. With
 * LOCAL_SIGN_IN=off there is no password to set; with `admins`, only an administrator's — a link made
 * for a manager before the setting changed no longer works, so no dormant password waits for the day
 * the setting changes back.
 */
export default async function accountLinkRoutes(app: FastifyInstance) {
  app.addHook('onRequest', async (request) => {
    if (app.config.localSignIn === 'off' && (request.url.startsWith('/mot-de-passe-oublie') || request.url.startsWith('/compte/mot-de-passe/'))) {
      throw new HttpError(404, NO_PASSWORDS);
    }
  });

  app.get('/mot-de-passe-oublie', async (_request, reply) =>
    reply.render('public/account-links/forgotten', { values: { email: '' }, errors: {}, sent: false, mailEnabled: app.mailer.enabled }, { title: 'Mot de passe oublié' }),
  );

  // The answer is the same whether the account exists or not, so that the page reveals no account.
  app.post('/mot-de-passe-oublie', async (request: FastifyRequest<{ Body: { email?: string } }>, reply) => {
    const email = String(request.body?.email ?? '').trim().slice(0, 320);
    if (!isPlausibleEmail(email)) {
      return reply.render(
        'public/account-links/forgotten',
        { values: { email }, errors: { email: 'Saisissez une adresse électronique valide.' }, sent: false, mailEnabled: app.mailer.enabled },
        { title: 'Mot de passe oublié', status: 400 },
      );
    }
    const now = app.clock.now();
    const key = `oubli:${addressPrefix(request.ip)}`;
    const lock = await latestLock(app.db, [key], now);
    if (lock) {
      return reply.render(
        'public/account-links/forgotten',
        { values: { email }, errors: { email: `Trop de demandes depuis ce poste. ${retryMessage(lock, now)}` }, sent: false, mailEnabled: app.mailer.enabled },
        { title: 'Mot de passe oublié', status: 429 },
      );
    }
    await countFailure(app.db, key, now, FORGOTTEN_PASSWORD_POLICY);
    const accountKey = `oubli-compte:${email.toLowerCase()}`;
    const mailboxFlooded = (await latestLock(app.db, [accountKey], now)) !== null;
    // Counted only outside the lock (a failure counted during a lock would start a new window).
    if (!mailboxFlooded) await countFailure(app.db, accountKey, now, FORGOTTEN_PASSWORD_ACCOUNT_POLICY);
    if (app.mailer.enabled && !mailboxFlooded) {
      // The link is made and sent after the answer, so that the answer takes as long whether the
      // account exists or not.
      setImmediate(() => {
        sendResetLink(app, email, request.ip).catch((err: unknown) => request.log.warn({ err }, 'sending the reset link failed'));
      });
    }
    return reply.render('public/account-links/forgotten', { values: { email }, errors: {}, sent: true, mailEnabled: app.mailer.enabled }, { title: 'Mot de passe oublié' });
  });

  app.get('/compte/mot-de-passe/:secret', async (request: FastifyRequest<Params>, reply) => {
    const link = await findUsableLink(app.db, app.clock, request.params.secret);
    reply.header('referrer-policy', 'no-referrer');
    if (!link) return reply.render('public/account-links/expired', { message: EXPIRED }, { title: 'Lien expiré', status: 410 });
    if (!passwordAllowed(link.role, app.config.localSignIn)) {
      return reply.render('public/account-links/expired', { message: NO_PASSWORD_FOR_MANAGERS }, { title: 'Lien sans objet', status: 410 });
    }
    return reply.render('public/account-links/set-password', { link, errors: {} }, { title: 'Choisir votre mot de passe' });
  });

  app.post('/compte/mot-de-passe/:secret', async (request: FastifyRequest<Params & { Body: { mot_de_passe?: string; confirmation?: string } }>, reply) => {
    const secret = request.params.secret;
    const link = await findUsableLink(app.db, app.clock, secret);
    if (!link) return reply.render('public/account-links/expired', { message: EXPIRED }, { title: 'Lien expiré', status: 410 });
    if (!passwordAllowed(link.role, app.config.localSignIn)) {
      return reply.render('public/account-links/expired', { message: NO_PASSWORD_FOR_MANAGERS }, { title: 'Lien sans objet', status: 410 });
    }
    const password = String(request.body?.mot_de_passe ?? '');
    const confirmation = String(request.body?.confirmation ?? '');
    const errors: Record<string, string> = {};
    const problem = passwordProblem(password);
    if (problem) errors.mot_de_passe = problem;
    else if (password !== confirmation) errors.confirmation = 'Les deux mots de passe saisis ne sont pas identiques.';
    if (Object.keys(errors).length > 0) {
      return reply.render('public/account-links/set-password', { link, errors }, { title: 'Choisir votre mot de passe', status: 400 });
    }
    const accountId = await consumeLinkAndSetPassword(app.db, app.clock, { secret, passwordHash: await hashPassword(password), link, ip: request.ip });
    if (accountId === null) return reply.render('public/account-links/expired', { message: EXPIRED }, { title: 'Lien expiré', status: 410 });
    reply.flash('success', 'Votre mot de passe est enregistré. Vous pouvez maintenant vous connecter.');
    return reply.redirect('/connexion', 303);
  });
}
