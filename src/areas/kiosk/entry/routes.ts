import type { FastifyInstance, FastifyRequest } from 'fastify';
import { readIdentity, type IdentityInput } from '../../../domain/candidate-identity.js';
import { formatShortDate, parisDate } from '../../../domain/paris-time.js';
import { startExam } from '../../../services/exam/lifecycle.js';
import { currentExam, kioskPage, rulesView } from '../terminal/session.js';
import { enterKiosk, resumeOnThisTerminal } from './lifecycle.js';
import { getQuestionnaireForRules, getSessionChoices } from './queries.js';

const ENTRY_TITLE = 'Accès à l’examen';
const RESUME_TITLE = 'Reprendre l’examen';
const EMPTY_ENTRY = { centre: '', jeton: '' };

/**
 * From the entry form to « Commencer »: centre ID and token, the session when several are open,
 * identity, rules; and the way back into an exam in progress after a crash.
 */
export default async function entryRoutes(app: FastifyInstance) {
  app.get('/examen.html', async (_request, reply) => reply.redirect('/examen', 301));

  app.get('/examen', async (request, reply) => {
    const exam = await currentExam(request);
    if (exam && !exam.finishedAt) return reply.redirect('/examen/question/1', 303);
    // A candidate who left without « Candidat suivant »: the next one gets an empty form, not the result.
    if (exam) request.session.examId = undefined;
    return kioskPage(reply, 'entry/entry', { values: EMPTY_ENTRY, failure: null }, ENTRY_TITLE);
  });

  app.post('/examen', async (request: FastifyRequest<{ Body: { centre?: string; jeton?: string } }>, reply) => {
    const values = {
      centre: String(request.body?.centre ?? '')
        .trim()
        .slice(0, 40),
      jeton: String(request.body?.jeton ?? '')
        .trim()
        .slice(0, 60),
    };
    const outcome = await enterKiosk(app.db, app.clock.now(), { ...values, ip: request.ip });
    if (outcome.kind === 'refused') return kioskPage(reply, 'entry/entry', { values, failure: outcome.message }, ENTRY_TITLE, outcome.status);
    if (outcome.kind === 'resume') {
      request.session.kioskEntry = undefined;
      request.session.resumeExamId = outcome.examId;
      return reply.redirect('/examen/reprise', 303);
    }
    request.session.resumeExamId = undefined;
    request.session.kioskEntry = outcome.entry;
    return reply.redirect(outcome.entry.sessionId ? '/examen/identite' : '/examen/session', 303);
  });

  app.get('/examen/session', async (request, reply) => {
    const entry = request.session.kioskEntry;
    if (!entry) return reply.redirect('/examen', 303);
    return kioskPage(reply, 'entry/choose-session', { sessions: await getSessionChoices(app.db, entry.sessionIds), error: null }, 'Choix de la session');
  });

  app.post('/examen/session', async (request: FastifyRequest<{ Body: { session?: string } }>, reply) => {
    const entry = request.session.kioskEntry;
    if (!entry) return reply.redirect('/examen', 303);
    const chosen = Number(request.body?.session);
    if (!entry.sessionIds.includes(chosen)) {
      const sessions = await getSessionChoices(app.db, entry.sessionIds);
      return kioskPage(
        reply,
        'entry/choose-session',
        { sessions, error: 'Choisissez la session dans laquelle vous passez l’examen.' },
        'Choix de la session',
        400,
      );
    }
    request.session.kioskEntry = { ...entry, sessionId: chosen };
    return reply.redirect('/examen/identite', 303);
  });

  app.get('/examen/identite', async (request, reply) => {
    const entry = request.session.kioskEntry;
    if (!entry?.sessionId) return reply.redirect('/examen', 303);
    const id = entry.identity;
    const values = {
      nom: id?.lastName ?? '',
      prenom: id?.firstName ?? '',
      date_naissance: id?.birthDate ?? '',
      entreprise: id?.company ?? '',
      adresse_entreprise: id?.companyAddress ?? '',
    };
    return kioskPage(reply, 'entry/identity', { values, errors: {} }, 'Votre identité');
  });

  app.post('/examen/identite', async (request: FastifyRequest<{ Body: IdentityInput }>, reply) => {
    const entry = request.session.kioskEntry;
    if (!entry?.sessionId) return reply.redirect('/examen', 303);
    const result = readIdentity(request.body ?? {}, parisDate(app.clock.now()));
    if (!result.ok) return kioskPage(reply, 'entry/identity', { values: result.values, errors: result.errors }, 'Votre identité', 400);
    request.session.kioskEntry = { ...entry, identity: result.identity };
    return reply.redirect('/examen/consignes', 303);
  });

  app.get('/examen/consignes', async (request, reply) => {
    const entry = request.session.kioskEntry;
    if (!entry?.identity) return reply.redirect('/examen', 303);
    const questionnaire = await getQuestionnaireForRules(app.db, entry.questionnaireId);
    return kioskPage(
      reply,
      'entry/rules',
      { identity: entry.identity, birthDateText: formatShortDate(entry.identity.birthDate), ...rulesView(questionnaire), failure: null },
      'Consignes de l’examen',
    );
  });

  app.post('/examen/commencer', async (request, reply) => {
    const entry = request.session.kioskEntry;
    if (!entry?.identity || !entry.sessionId) return reply.redirect('/examen', 303);
    const outcome = await startExam(app.db, app.clock, {
      centreId: entry.centreId,
      tokenId: entry.tokenId,
      examSessionId: entry.sessionId,
      identity: entry.identity,
    });
    if (!outcome.ok) {
      request.session.kioskEntry = undefined;
      return kioskPage(reply, 'entry/entry', { values: EMPTY_ENTRY, failure: outcome.message }, ENTRY_TITLE, 409);
    }
    // A fresh session id for the exam: whatever cookie existed before the start reaches nothing now.
    await request.session.regenerate();
    request.session.examId = outcome.examId;
    request.session.examGeneration = 0;
    return reply.redirect('/examen/question/1', 303);
  });

  app.get('/examen/reprise', async (request, reply) => {
    if (!request.session.resumeExamId) return reply.redirect('/examen', 303);
    return kioskPage(reply, 'entry/resume', { value: '', failure: null }, RESUME_TITLE);
  });

  app.post('/examen/reprise', async (request: FastifyRequest<{ Body: { date_naissance?: string } }>, reply) => {
    const examId = request.session.resumeExamId;
    if (!examId) return reply.redirect('/examen', 303);
    const value = String(request.body?.date_naissance ?? '')
      .trim()
      .slice(0, 10);
    const outcome = await resumeOnThisTerminal(app.db, app.clock.now(), { examId, birthDate: value, ip: request.ip });
    if (outcome.kind === 'gone') return reply.redirect('/examen', 303);
    if (outcome.kind === 'refused') return kioskPage(reply, 'entry/resume', { value, failure: outcome.message }, RESUME_TITLE, outcome.status);
    await request.session.regenerate();
    request.session.examId = examId;
    request.session.examGeneration = outcome.generation;
    return reply.redirect(`/examen/question/${outcome.nextPosition}`, 303);
  });
}
