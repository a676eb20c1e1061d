import { stockStanding } from '../../../domain/token-stock.js';
import { formatInteger, plural } from '../../../domain/french.js';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { TOKEN_STATUS_LABELS } from '../../../domain/statuses.js';
import { formatParisDateTime } from '../../../domain/paris-time.js';
import { formatTokenCode } from '../../../domain/token-code.js';
import { notFound } from '../../../plugins/errors.js';
import { requestActor } from '../../../services/audit.js';
import { centreOf, type CurrentCentre } from '../current-centre/scope.js';
import { suspendedCentreMessage } from '../../../domain/centre-suspension.js';
import { changeLowStockThreshold, createTokenBatch, revokeBatch, NO_TOKENS_WHILE_SUSPENDED, revokeToken } from './lifecycle.js';
import { BATCH_CONFIRM_ABOVE, BATCH_MAX, BATCH_MIN, parseBatchCount, parseThreshold, THRESHOLD_MAX, THRESHOLD_MIN } from '../../../domain/token-batch.js';
import {
  getBatch,
  getBatchToken,
  getPublishedQuestionnaire,
  listBatches,
  listBatchTokens,
  listPublishedQuestionnaires,
  tokenStockByQuestionnaire,
  type BatchSummary,
} from './queries.js';
import { bodyField, idParam, positiveInteger } from '../../../plugins/params.js';
import { checkDailyQuota, quotaHint } from '../../../domain/token-quota.js';
import { centreDailyQuota } from '../../../services/centres/token-quota.js';

type BatchParams = { Params: { id: string } };
type TokenParams = { Params: { id: string; tokenId: string } };

function presentBatch(batch: BatchSummary) {
  return { ...batch, createdAtText: formatParisDateTime(batch.createdAt) };
}

async function renderStock(
  app: FastifyInstance,
  reply: FastifyReply,
  centre: CurrentCentre,
  threshold: { value: string; error?: string } = { value: String(centre.lowStockThreshold) },
  status = 200,
) {
  const [stock, batches] = await Promise.all([tokenStockByQuestionnaire(app.db, centre.id), listBatches(app.db, centre.id)]);
  const rows = stockStanding(stock, centre.lowStockThreshold);
  return reply.render(
    'centre/tokens/index',
    {
      centre,
      stock: rows,
      lowStock: rows.filter((r) => r.low),
      batches: batches.map(presentBatch),
      threshold,
      thresholdMin: THRESHOLD_MIN,
      thresholdMax: THRESHOLD_MAX,
      thresholdMaxText: formatInteger(THRESHOLD_MAX),
      suspendedMessage: centre.status === 'suspended' ? suspendedCentreMessage(NO_TOKENS_WHILE_SUSPENDED, centre.suspensionReason) : null,
    },
    { title: 'Jetons d’examen', status },
  );
}

interface NewBatchForm {
  questionnaire: string;
  count: string;
}

async function renderNewBatch(
  app: FastifyInstance,
  reply: FastifyReply,
  centre: CurrentCentre,
  values: NewBatchForm,
  errors: { questionnaire?: string; count?: string; general?: string } = {},
  status = 200,
) {
  const [questionnaires, day] = await Promise.all([listPublishedQuestionnaires(app.db), centreDailyQuota(app.db, centre.id, app.clock.now())]);
  const summary = [
    errors.questionnaire ? { id: 'questionnaire', message: errors.questionnaire } : null,
    errors.count ? { id: 'nombre', message: errors.count } : null,
  ].filter((e) => e !== null);
  return reply.render(
    'centre/tokens/new',
    {
      centre,
      questionnaires,
      values,
      errors,
      summary,
      min: BATCH_MIN,
      max: BATCH_MAX,
      quotaHint: day ? quotaHint(day) : null,
      suspendedMessage: centre.status === 'suspended' ? suspendedCentreMessage(NO_TOKENS_WHILE_SUSPENDED, centre.suspensionReason) : null,
    },
    { title: 'Initialiser une table de jetons', status },
  );
}

async function batchOr404(app: FastifyInstance, centre: CurrentCentre, rawId: string): Promise<BatchSummary> {
  const batch = await getBatch(app.db, centre.id, idParam(rawId));
  if (!batch) throw notFound();
  return batch;
}

/** The manager's tokens: stock, tables of tokens, printing and revocation (manager area, guarded in app.ts). */
export default async function tokenRoutes(app: FastifyInstance) {
  app.get('/centre/jetons', async (request, reply) => renderStock(app, reply, centreOf(request)));

  app.post('/centre/jetons/seuil', async (request, reply) => {
    const centre = centreOf(request);
    const raw = bodyField(request, 'seuil');
    const parsed = parseThreshold(raw);
    if (!parsed.ok) return renderStock(app, reply, centre, { value: raw, error: parsed.message }, 400);
    await changeLowStockThreshold(app.db, app.clock, {
      centreId: centre.id,
      threshold: parsed.value,
      previous: centre.lowStockThreshold,
      actor: requestActor(request),
    });
    reply.flash('success', `Le seuil d’alerte est fixé à ${plural(parsed.value, 'jeton disponible', 'jetons disponibles')}.`);
    return reply.redirect('/centre/jetons', 303);
  });

  app.get('/centre/jetons/nouvelle-table', async (request: FastifyRequest<{ Querystring: { questionnaire?: string; nombre?: string } }>, reply) => {
    const centre = centreOf(request);
    const chosen = typeof request.query.questionnaire === 'string' ? request.query.questionnaire : '';
    const count = typeof request.query.nombre === 'string' ? request.query.nombre.slice(0, 20) : '';
    return renderNewBatch(app, reply, centre, { questionnaire: chosen, count });
  });

  app.post('/centre/jetons/nouvelle-table', async (request, reply) => {
    const centre = centreOf(request);
    const values: NewBatchForm = { questionnaire: bodyField(request, 'questionnaire'), count: bodyField(request, 'nombre') };
    if (centre.status === 'suspended') {
      return renderNewBatch(app, reply, centre, values, { general: suspendedCentreMessage(NO_TOKENS_WHILE_SUSPENDED, centre.suspensionReason) }, 403);
    }
    const errors: { questionnaire?: string; count?: string } = {};
    const questionnaireId = positiveInteger(values.questionnaire);
    if (questionnaireId === null) errors.questionnaire = 'Choisissez le questionnaire pour lequel générer les jetons.';
    const count = parseBatchCount(values.count);
    if (!count.ok) errors.count = count.message;
    if (questionnaireId === null || !count.ok) return renderNewBatch(app, reply, centre, values, errors, 400);
    if (count.value > BATCH_CONFIRM_ABOVE && bodyField(request, 'confirme') !== '1') {
      // Over the quota, the refusal comes now rather than after a confirmation.
      const day = await centreDailyQuota(app.db, centre.id, app.clock.now());
      const fits = day ? checkDailyQuota(day, count.value) : null;
      if (fits && !fits.ok) return renderNewBatch(app, reply, centre, values, { count: fits.message }, 400);
      const questionnaire = await getPublishedQuestionnaire(app.db, questionnaireId);
      if (!questionnaire)
        return renderNewBatch(
          app,
          reply,
          centre,
          values,
          { questionnaire: 'Choisissez un questionnaire publié : celui-ci n’existe pas ou n’est plus publié.' },
          400,
        );
      return reply.render('centre/tokens/confirm-batch', { questionnaire, count: count.value }, { title: 'Confirmer le nombre de jetons' });
    }

    const outcome = await createTokenBatch(app.db, app.clock, {
      centreId: centre.id,
      questionnaireId,
      count: count.value,
      createdBy: request.account!.email,
      dailyQuota: 'enforced',
      actor: requestActor(request),
    });
    if (!outcome.ok) {
      if (outcome.reason === 'questionnaire') return renderNewBatch(app, reply, centre, values, { questionnaire: outcome.message }, 400);
      if (outcome.reason === 'count' || outcome.reason === 'quota') return renderNewBatch(app, reply, centre, values, { count: outcome.message }, 400);
      return renderNewBatch(app, reply, centre, values, { general: outcome.message }, outcome.reason === 'centre_suspended' ? 403 : 400);
    }
    const n = outcome.codes.length;
    reply.flash(
      'success',
      `${n > 1 ? `${plural(n, 'jeton')} ont été générés` : `${plural(n, 'jeton')} a été généré`} pour le questionnaire ${outcome.questionnaire.profileLabel} ${outcome.questionnaire.version}. Imprimez la table pour la remettre aux candidats.`,
    );
    return reply.redirect(`/centre/jetons/lots/${outcome.batchId}`, 303);
  });

  app.get('/centre/jetons/lots/:id', async (request: FastifyRequest<BatchParams>, reply) => {
    const centre = centreOf(request);
    const batch = await batchOr404(app, centre, request.params.id);
    const tokens = await listBatchTokens(app.db, centre.id, batch.id);
    return reply.render(
      'centre/tokens/batch',
      {
        centre,
        batch: presentBatch(batch),
        tokens: tokens.map((t) => ({
          ...t,
          formatted: formatTokenCode(t.code),
          statusLabel: TOKEN_STATUS_LABELS[t.status],
          whenText: t.usedAt ? `le ${formatParisDateTime(t.usedAt)}` : t.revokedAt ? `le ${formatParisDateTime(t.revokedAt)}` : '',
        })),
      },
      { title: `Table de jetons n° ${batch.id}` },
    );
  });

  app.get('/centre/jetons/lots/:id/impression', async (request: FastifyRequest<BatchParams>, reply) => {
    const centre = centreOf(request);
    const batch = await batchOr404(app, centre, request.params.id);
    const tokens = await listBatchTokens(app.db, centre.id, batch.id);
    const printable = tokens.filter((t) => t.status === 'available');
    return reply.render(
      'centre/tokens/print',
      {
        centre,
        batch: presentBatch(batch),
        slips: printable.map((t) => formatTokenCode(t.code)),
        notPrinted: tokens.length - printable.length,
        // The full address: a candidate in front of a fresh browser has nothing to start from.
        examUrl: `${app.config.publicUrl}/examen`,
      },
      { title: `Impression de la table de jetons n° ${batch.id}` },
    );
  });

  app.get('/centre/jetons/lots/:id/revoquer', async (request: FastifyRequest<BatchParams>, reply) => {
    const centre = centreOf(request);
    const batch = await batchOr404(app, centre, request.params.id);
    return reply.render('centre/tokens/confirm-revoke', { batch: presentBatch(batch) }, { title: 'Révoquer les jetons d’une table' });
  });

  app.post('/centre/jetons/lots/:id/revoquer', async (request: FastifyRequest<BatchParams>, reply) => {
    const centre = centreOf(request);
    const outcome = await revokeBatch(app.db, app.clock, { centreId: centre.id, batchId: idParam(request.params.id), actor: requestActor(request) });
    if (!outcome) throw notFound();
    const n = outcome.revoked;
    reply.flash(
      n > 0 ? 'success' : 'info',
      n > 0
        ? `${plural(n, 'jeton non utilisé', 'jetons non utilisés')} ${n > 1 ? 'ont été révoqués' : 'a été révoqué'}. Les jetons déjà utilisés ne changent pas.`
        : 'Aucun jeton de cette table n’était encore disponible : rien n’a été révoqué.',
    );
    return reply.redirect(`/centre/jetons/lots/${request.params.id}`, 303);
  });

  app.get('/centre/jetons/lots/:id/jetons/:tokenId/revoquer', async (request: FastifyRequest<TokenParams>, reply) => {
    const centre = centreOf(request);
    const batch = await batchOr404(app, centre, request.params.id);
    const token = await getBatchToken(app.db, centre.id, batch.id, idParam(request.params.tokenId));
    if (!token) throw notFound();
    return reply.render(
      'centre/tokens/confirm-revoke-token',
      { batch: presentBatch(batch), token: { id: token.id, formatted: formatTokenCode(token.code), available: token.status === 'available' } },
      { title: 'Révoquer un jeton' },
    );
  });

  app.post('/centre/jetons/lots/:id/jetons/:tokenId/revoquer', async (request: FastifyRequest<TokenParams>, reply) => {
    const centre = centreOf(request);
    const batchId = idParam(request.params.id);
    const outcome = await revokeToken(app.db, app.clock, {
      centreId: centre.id,
      batchId,
      tokenId: idParam(request.params.tokenId),
      actor: requestActor(request),
    });
    if (!outcome) throw notFound();
    if (outcome.ok) reply.flash('success', `Le jeton ${formatTokenCode(outcome.code)} est révoqué : il ne permet plus de commencer un examen.`);
    else reply.flash('error', outcome.message);
    return reply.redirect(`/centre/jetons/lots/${batchId}`, 303);
  });
}
