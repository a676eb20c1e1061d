import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { describeBankError, type BankError } from '../../../domain/bank/index.js';
import { PROFILE_LABELS, PROFILES } from '../../../domain/profiles.js';
import { maximumScore, passMark } from '../../../domain/rules.js';
import { QUESTIONNAIRE_STATUS_LABELS } from '../../../domain/statuses.js';
import { notFound } from '../../../plugins/errors.js';
import { requestActor } from '../../../services/audit.js';
import { decodeUpload, importQuestionnaire, publishQuestionnaire, retireQuestionnaire, type BankSource } from './lifecycle.js';
import { sendQuestionImage } from '../../../plugins/question-images.js';
import { getPreviewQuestions, getQuestionImage, getQuestionnaire, listQuestionnaires } from './queries.js';
import { idParam } from '../../../plugins/params.js';
import { uploadedFile, uploadedText } from '../../../plugins/uploads.js';
import { IMPORT_FORMAT } from './format.js';
import { itemStatisticsCsv, itemStatisticsRows } from './item-statistics.js';
import { readItemStatistics } from '../../../services/item-statistics.js';
import { MIN_EXAMS_FOR_FLAGS } from '../../../domain/item-analysis.js';
import { formatParisDateTime } from '../../../domain/paris-time.js';
import { plural } from '../../../domain/french.js';
import { BANK_TEMPLATES, readBankTemplate, templateUrl } from './templates.js';

type Params = { Params: { id: string } };

/** Chooses the format from the file name; a CSV bank needs its JSON header beside it. */
async function bankSourceOf(body: Record<string, unknown> | undefined): Promise<{ source: BankSource } | { errors: BankError[] }> {
  const bankFile = uploadedFile(body, 'banque');
  if (!bankFile) return { errors: [{ where: 'banque', message: 'Choisissez le fichier de la banque de questions (.json ou .csv).' }] };
  const name = bankFile.filename.toLowerCase();
  if (name.endsWith('.json')) return { source: { format: 'json', text: decodeUpload(await bankFile.toBuffer()) } };
  if (name.endsWith('.csv')) {
    const header = uploadedFile(body, 'entete');
    if (!header) {
      return {
        errors: [
          { where: 'entete', message: 'Une banque au format CSV s’importe avec son en-tête JSON (profil, version, titre, règles) : choisissez ce fichier.' },
        ],
      };
    }
    return { source: { format: 'csv', csv: decodeUpload(await bankFile.toBuffer()), header: decodeUpload(await header.toBuffer()) } };
  }
  return { errors: [{ where: 'banque', message: 'Le fichier doit être au format JSON (.json) ou CSV (.csv).' }] };
}

function renderImportForm(reply: FastifyReply, data: { errors?: BankError[]; publish?: boolean }, status = 200) {
  return reply.render(
    'admin/questionnaires/import',
    {
      errors: (data.errors ?? []).map(describeBankError),
      fieldErrors: data.errors ?? [],
      publish: data.publish ?? false,
      format: IMPORT_FORMAT,
      templates: BANK_TEMPLATES.map((template) => ({ url: templateUrl(template), fileName: template.fileName, label: template.label })),
    },
    { title: 'Importer une banque de questions', status },
  );
}

/**
 * The national administrator's questionnaire pages: list, import (with the formats described and
 * templates to download), preview, publish and retire (admin area, guarded in its index.ts).
 */
export default async function questionnaireRoutes(app: FastifyInstance) {
  app.get('/admin/questionnaires', async (_request, reply) => {
    const all = await listQuestionnaires(app.db);
    const groups = PROFILES.map((profile) => ({
      profile,
      label: PROFILE_LABELS[profile],
      versions: all.filter((q) => q.profile === profile),
    }));
    return reply.render('admin/questionnaires/list', { groups, statusLabels: QUESTIONNAIRE_STATUS_LABELS }, { title: 'Questionnaires' });
  });

  app.get('/admin/questionnaires/importer', async (_request, reply) => renderImportForm(reply, {}));

  // The templates offered on the import page, saved as files rather than shown.
  for (const template of BANK_TEMPLATES) {
    app.get(templateUrl(template), async (_request, reply) =>
      reply
        .type(template.contentType)
        .header('content-disposition', `attachment; filename="${template.fileName}"`)
        .send(await readBankTemplate(template)),
    );
  }

  app.post('/admin/questionnaires/importer', async (request, reply) => {
    const body = request.body as Record<string, unknown> | undefined;
    const publish = uploadedText(body, 'publier') === 'oui';
    const read = await bankSourceOf(body);
    if ('errors' in read) return renderImportForm(reply, { errors: read.errors, publish }, 400);
    const outcome = await importQuestionnaire(app.db, app.clock, read.source, { publish, actor: requestActor(request) });
    if (!outcome.ok) return renderImportForm(reply, { errors: outcome.errors, publish }, 400);
    reply.flash(
      'success',
      outcome.published ? 'La banque a été importée et publiée.' : 'La banque a été importée en brouillon. Vérifiez-la avant de la publier.',
    );
    return reply.redirect(`/admin/questionnaires/${outcome.questionnaireId}`, 303);
  });

  app.get('/admin/questionnaires/:id', async (request: FastifyRequest<Params>, reply) => {
    const questionnaire = await getQuestionnaire(app.db, idParam(request.params.id));
    if (!questionnaire) throw notFound();
    const questions = await getPreviewQuestions(app.db, questionnaire.id);
    return reply.render(
      'admin/questionnaires/show',
      {
        questionnaire,
        questions,
        profileLabel: PROFILE_LABELS[questionnaire.profile],
        statusLabel: QUESTIONNAIRE_STATUS_LABELS[questionnaire.status],
        maximum: maximumScore(questionnaire.rules),
        passMark: passMark(questionnaire.rules),
      },
      { title: questionnaire.title },
    );
  });

  // Read from the cache the sweeper fills (services/item-statistics.ts): a view never scans the exams.
  app.get('/admin/questionnaires/:id/statistiques', async (request: FastifyRequest<Params>, reply) => {
    const questionnaire = await getQuestionnaire(app.db, idParam(request.params.id));
    if (!questionnaire) throw notFound();
    const [questions, statistics] = await Promise.all([getPreviewQuestions(app.db, questionnaire.id), readItemStatistics(app.db, questionnaire.id)]);
    return reply.render(
      'admin/questionnaires/statistics',
      {
        questionnaire,
        profileLabel: PROFILE_LABELS[questionnaire.profile],
        statistics: statistics && {
          computedAt: formatParisDateTime(statistics.computedAt),
          examsCount: statistics.examsCount,
          examsText: plural(statistics.examsCount, 'examen terminé', 'examens terminés'),
          rows: itemStatisticsRows(questions, statistics.items),
        },
        minExams: MIN_EXAMS_FOR_FLAGS,
      },
      { title: `Statistiques des questions — ${questionnaire.title}` },
    );
  });

  app.get('/admin/questionnaires/:id/statistiques.csv', async (request: FastifyRequest<Params>, reply) => {
    const questionnaire = await getQuestionnaire(app.db, idParam(request.params.id));
    if (!questionnaire) throw notFound();
    const [questions, statistics] = await Promise.all([getPreviewQuestions(app.db, questionnaire.id), readItemStatistics(app.db, questionnaire.id)]);
    if (!statistics) throw notFound();
    const version = questionnaire.version.replace(/[^A-Za-z0-9._-]+/g, '-');
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="statistiques-questions-${questionnaire.profile}-${version}.csv"`)
      .send(itemStatisticsCsv(questions, statistics.items));
  });

  app.get('/admin/questionnaires/:id/images/:questionId', async (request: FastifyRequest<{ Params: { id: string; questionId: string } }>, reply) => {
    const image = await getQuestionImage(app.db, idParam(request.params.id), idParam(request.params.questionId));
    return sendQuestionImage(reply, image, 'private');
  });

  for (const action of ['publier', 'retirer'] as const) {
    app.get(`/admin/questionnaires/:id/${action}`, async (request: FastifyRequest<Params>, reply) => {
      const questionnaire = await getQuestionnaire(app.db, idParam(request.params.id));
      if (!questionnaire) throw notFound();
      return reply.render(
        'admin/questionnaires/confirm',
        { questionnaire, action, profileLabel: PROFILE_LABELS[questionnaire.profile] },
        { title: action === 'publier' ? 'Publier un questionnaire' : 'Retirer un questionnaire' },
      );
    });

    app.post(`/admin/questionnaires/:id/${action}`, async (request: FastifyRequest<Params>, reply) => {
      const id = idParam(request.params.id);
      const change = action === 'publier' ? publishQuestionnaire : retireQuestionnaire;
      const outcome = await change(app.db, app.clock, id, { actor: requestActor(request) });
      if (!outcome.ok) {
        for (const reason of outcome.reasons) reply.flash('error', reason);
      } else {
        reply.flash(
          'success',
          action === 'publier'
            ? 'Le questionnaire est publié : les centres peuvent générer des jetons.'
            : 'Le questionnaire est retiré : aucun nouvel examen ne peut commencer sur cette version.',
        );
      }
      return reply.redirect(`/admin/questionnaires/${id}`, 303);
    });
  }
}
