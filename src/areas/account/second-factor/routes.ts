import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Role } from '../../../db/schema.js';
import {
  ENROLMENT_VALIDITY_MS,
  FEW_RECOVERY_CODES,
  formatRecoveryCode,
  formatTotpSecret,
  secondFactorRequired,
  TOTP_DIGITS,
} from '../../../domain/second-factor.js';
import { formatParisDateTime } from '../../../domain/paris-time.js';
import { retryMessage } from '../../../domain/throttle.js';
import {
  checkSecondFactor,
  enableSecondFactor,
  enrolmentQrSvg,
  enrolmentUri,
  matchesEnrolment,
  newTotpSecret,
  removeSecondFactor,
  renewRecoveryCodes,
  secondFactorStatus,
} from '../../../services/accounts/second-factor.js';
import { requestActor } from '../../../services/audit.js';
import { homeOf } from '../../../plugins/auth.js';

declare module 'fastify' {
  interface Session {
    /** The secret drawn for an enrolment under way: kept until confirmed, so that a reload shows the same QR code. */
    enrolment?: { secret: string; since: string };
  }
}

type CodeBody = { Body: { code?: string; code_actuel?: string; code_retrait?: string } };

const MISSING_CODE = 'Saisissez le code affiché par votre application.';
const WRONG_CODE = 'Code incorrect ou déjà utilisé. Saisissez le code affiché maintenant par votre application (vérifiez que votre téléphone est à l’heure).';

/**
 * The second factor of one's own account: enrolment (QR code, then a code to prove the app has
 * it), recovery codes shown once, their renewal, and — for managers, for whom it is optional — its
 * removal. Each change after enrolment asks for a code again: a session left open on a shared
 * computer is not enough to take the second factor over.
 */
export default async function secondFactorRoutes(app: FastifyInstance) {
  const readTyped = (value: string | undefined) => String(value ?? '').slice(0, 100);

  async function renderOverview(request: FastifyRequest, reply: FastifyReply, extra: { errors?: Record<string, string>; failure?: string } = {}, status = 200) {
    const account = request.account!;
    const state = await secondFactorStatus(app.db, account.id);
    return reply.render(
      'account/second-factor/overview',
      {
        status: state,
        enabledAtText: state.enabledAt ? formatParisDateTime(state.enabledAt) : null,
        digits: TOTP_DIGITS,
        required: secondFactorRequired(account.role),
        fewCodes: state.unusedRecoveryCodes <= FEW_RECOVERY_CODES,
        home: homeOf(account.role),
        errors: extra.errors ?? {},
        failure: extra.failure ?? null,
      },
      { title: 'Mon compte', status },
    );
  }

  /** The secret of the enrolment under way, or a new one. */
  function enrolmentSecret(request: FastifyRequest): string {
    const current = request.session.enrolment;
    if (current && app.clock.now().getTime() - Date.parse(current.since) <= ENROLMENT_VALIDITY_MS) return current.secret;
    const secret = newTotpSecret();
    request.session.enrolment = { secret, since: app.clock.now().toISOString() };
    return secret;
  }

  async function renderEnrolment(request: FastifyRequest, reply: FastifyReply, errors: Record<string, string> = {}, status = 200) {
    const account = request.account!;
    const secret = enrolmentSecret(request);
    return reply.render(
      'account/second-factor/enrol',
      {
        qrSvg: await enrolmentQrSvg(enrolmentUri(secret, account.email)),
        secret: formatTotpSecret(secret),
        digits: TOTP_DIGITS,
        replacing: account.secondFactor,
        required: secondFactorRequired(account.role),
        errors,
      },
      { title: 'Double authentification', status },
    );
  }

  function renderCodes(reply: FastifyReply, role: Role, codes: string[], enrolled: boolean) {
    return reply.render(
      'account/second-factor/recovery-codes',
      { codes: codes.map(formatRecoveryCode), enrolled, home: homeOf(role) },
      { title: 'Vos codes de secours' },
    );
  }

  /** A code of the account's second factor, typed to confirm a change: null when right, else the error to show. */
  async function confirmWithCode(request: FastifyRequest, typed: string): Promise<{ error?: string; failure?: string } | null> {
    if (!typed.trim()) return { error: 'Saisissez un code de votre application, ou un code de secours.' };
    const check = await checkSecondFactor(app.db, app.clock, { accountId: request.account!.id, typed }, { actor: requestActor(request) });
    if (check.ok) return null;
    if (check.reason === 'locked') return { failure: `Trop de codes incorrects pour ce compte. ${retryMessage(check.until, app.clock.now())}` };
    return { error: 'Code incorrect ou déjà utilisé.' };
  }

  app.get('/compte', async (request, reply) => renderOverview(request, reply));

  app.get('/compte/double-authentification', async (request, reply) => renderEnrolment(request, reply));

  app.post('/compte/double-authentification', async (request: FastifyRequest<CodeBody>, reply) => {
    const account = request.account!;
    const typed = readTyped(request.body?.code);
    const secret = enrolmentSecret(request);
    // The new app's code first: a mistake there must not use up a code of the current app.
    if (!typed.trim()) return renderEnrolment(request, reply, { code: MISSING_CODE }, 400);
    if (!matchesEnrolment(secret, typed, app.clock)) return renderEnrolment(request, reply, { code: WRONG_CODE }, 400);
    if (account.secondFactor) {
      const refused = await confirmWithCode(request, readTyped(request.body?.code_actuel));
      if (refused) return renderEnrolment(request, reply, { code_actuel: refused.failure ?? refused.error! }, 400);
    }
    const enabled = await enableSecondFactor(app.db, app.clock, { accountId: account.id, secret, typed }, { actor: requestActor(request) });
    if (!enabled) return renderEnrolment(request, reply, { code: WRONG_CODE }, 400);
    request.session.enrolment = undefined;
    // Every other sign-in of the account has just ended (credentialOf); this one, which gave the code, goes on.
    request.session.credential = enabled.credential;
    return renderCodes(reply, account.role, enabled.codes, true);
  });

  app.post('/compte/codes-de-secours', async (request: FastifyRequest<CodeBody>, reply) => {
    const account = request.account!;
    if (!account.secondFactor) return reply.navigate('/compte');
    const refused = await confirmWithCode(request, readTyped(request.body?.code));
    if (refused) return renderOverview(request, reply, { errors: refused.error ? { code: refused.error } : {}, failure: refused.failure }, 400);
    const codes = await renewRecoveryCodes(app.db, app.clock, account.id, { actor: requestActor(request) });
    return renderCodes(reply, account.role, codes, false);
  });

  app.post('/compte/double-authentification/retirer', async (request: FastifyRequest<CodeBody>, reply) => {
    const account = request.account!;
    if (secondFactorRequired(account.role)) {
      throw Object.assign(new Error('La double authentification est obligatoire pour l’administration nationale.'), { statusCode: 403 });
    }
    if (!account.secondFactor) return reply.navigate('/compte');
    const refused = await confirmWithCode(request, readTyped(request.body?.code_retrait));
    if (refused) return renderOverview(request, reply, { errors: refused.error ? { code_retrait: refused.error } : {}, failure: refused.failure }, 400);
    const credential = await removeSecondFactor(app.db, app.clock, account.id, { actor: requestActor(request) });
    if (credential) request.session.credential = credential;
    reply.flash('success', 'La double authentification est retirée de votre compte : la connexion ne demande plus de code.');
    return reply.navigate('/compte');
  });
}
