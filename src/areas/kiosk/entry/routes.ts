import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { BIRTH_DATE_HINT, readIdentity, type IdentityInput } from '../../../domain/candidate-identity.js';
import { roomInSentence } from '../../../domain/french.js';
import { formatHour, formatLongDate, formatShortDate, parisDate } from '../../../domain/paris-time.js';
import { admitTerminal, type TerminalAdmission } from '../../../services/exam/admission.js';
import { startExam } from '../../../services/exam/lifecycle.js';
import { admitThisTerminal, currentExam, kioskPage, rulesView, terminalAdmission } from '../terminal/session.js';
import { enterKiosk, resumeOnThisTerminal } from './lifecycle.js';
import { getQuestionnaireForRules } from './queries.js';

const ENTRY_TITLE = 'Accès à l’examen';
const ADMISSION_TITLE = 'Admission du poste';
const RESUME_TITLE = 'Reprendre l’examen';
const EMPTY_ENTRY = { centre: '', jeton: '' };
const EMPTY_ADMISSION = { centre: '', code_session: '', poste: '' };

type AdmissionBody = { Body: { centre?: string; code_session?: string; poste?: string } };

const field = (value: string | undefined, max: number) =>
  String(value ?? '')
    .trim()
    .slice(0, max);

/** The entry form of an admitted terminal, which says which session it is admitted to. */
function entryPage(reply: FastifyReply, admission: TerminalAdmission, values: typeof EMPTY_ENTRY, failure: string | null, status = 200) {
  return kioskPage(reply, 'entry/entry', { values, failure, admission: presentAdmission(admission) }, ENTRY_TITLE, status);
}

/** The resume form: the date typed, and either a message at the field or a refusal above the form. */
function resumeView(value: string, shown: { error?: string; failure?: string; dateRefused?: boolean } = {}) {
  return { value, error: shown.error ?? null, failure: shown.failure ?? null, dateRefused: shown.dateRefused ?? false, birthDateHint: BIRTH_DATE_HINT };
}

function presentAdmission(admission: TerminalAdmission) {
  return {
    id: admission.id,
    label: admission.label,
    room: roomInSentence(admission.room),
    startTime: formatHour(admission.startTime),
    date: formatLongDate(admission.sessionDate),
  };
}

/**
 * From the entry form to « Commencer »: the terminal's admission to the room's session (once, by
 * the supervisor), centre ID and token, identity, rules; and the way back into an exam in progress
 * after a crash. Without an admission, a terminal sees only the admission form.
 */
export default async function entryRoutes(app: FastifyInstance) {
  app.get('/examen.html', async (_request, reply) => reply.redirect('/examen', 301));

  app.get('/examen', async (request, reply) => {
    const exam = await currentExam(request);
    if (exam && !exam.finishedAt) return reply.redirect('/examen/question/1', 303);
    // A candidate who left without « Candidat suivant »: the next one gets an empty form, not the result.
    if (exam) request.session.examId = undefined;
    const admission = await terminalAdmission(request);
    if (!admission) return kioskPage(reply, 'entry/admit', { values: EMPTY_ADMISSION, failure: null }, ADMISSION_TITLE);
    return entryPage(reply, admission, EMPTY_ENTRY, null);
  });

  app.post('/examen/poste', async (request: FastifyRequest<AdmissionBody>, reply) => {
    const values = { centre: field(request.body?.centre, 40), code_session: field(request.body?.code_session, 40), poste: field(request.body?.poste, 40) };
    const outcome = await admitTerminal(app.db, app.clock, {
      centre: values.centre,
      code: values.code_session,
      label: values.poste,
      ip: request.ip,
      userAgent: String(request.headers['user-agent'] ?? ''),
    });
    if (!outcome.ok) return kioskPage(reply, 'entry/admit', { values, failure: outcome.message }, ADMISSION_TITLE, outcome.status);
    // Whatever this browser was doing before belongs to no one now.
    await request.session.regenerate();
    admitThisTerminal(reply, outcome.cookie, outcome.admission.expiresAt);
    reply.flash('success', 'Le poste est admis à la session : les candidats peuvent saisir leur jeton.');
    return reply.redirect('/examen', 303);
  });

  app.post('/examen', async (request: FastifyRequest<{ Body: { centre?: string; jeton?: string } }>, reply) => {
    const admission = await terminalAdmission(request);
    if (!admission) return reply.redirect('/examen', 303);
    const values = { centre: field(request.body?.centre, 40), jeton: field(request.body?.jeton, 60) };
    const outcome = await enterKiosk(app.db, app.clock.now(), { ...values, ip: request.ip, admission });
    if (outcome.kind === 'refused') return entryPage(reply, admission, values, outcome.message, outcome.status);
    if (outcome.kind === 'resume') {
      request.session.kioskEntry = undefined;
      request.session.resumeExamId = outcome.examId;
      return reply.redirect('/examen/reprise', 303);
    }
    request.session.resumeExamId = undefined;
    request.session.kioskEntry = outcome.entry;
    return reply.redirect('/examen/identite', 303);
  });

  app.get('/examen/identite', async (request, reply) => {
    const entry = request.session.kioskEntry;
    if (!entry) return reply.redirect('/examen', 303);
    const id = entry.identity;
    const values = {
      nom: id?.lastName ?? '',
      prenom: id?.firstName ?? '',
      // Shown back as it was asked for, JJ/MM/AAAA.
      date_naissance: id ? formatShortDate(id.birthDate) : '',
      entreprise: id?.company ?? '',
      adresse_entreprise: id?.companyAddress ?? '',
    };
    return kioskPage(reply, 'entry/identity', { values, errors: {}, birthDateHint: BIRTH_DATE_HINT }, 'Votre identité');
  });

  app.post('/examen/identite', async (request: FastifyRequest<{ Body: IdentityInput }>, reply) => {
    const entry = request.session.kioskEntry;
    if (!entry) return reply.redirect('/examen', 303);
    const result = readIdentity(request.body ?? {}, parisDate(app.clock.now()));
    if (!result.ok) {
      return kioskPage(reply, 'entry/identity', { values: result.values, errors: result.errors, birthDateHint: BIRTH_DATE_HINT }, 'Votre identité', 400);
    }
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
    if (!entry?.identity) return reply.redirect('/examen', 303);
    const admission = await terminalAdmission(request);
    if (!admission || admission.id !== entry.admissionId) {
      // Withdrawn by the supervisor (or its day is over) since the entry.
      request.session.kioskEntry = undefined;
      return reply.redirect('/examen', 303);
    }
    const outcome = await startExam(app.db, app.clock, {
      centreId: entry.centreId,
      tokenId: entry.tokenId,
      examSessionId: entry.sessionId,
      identity: entry.identity,
      admissionId: admission.id,
      ip: request.ip,
    });
    if (!outcome.ok) {
      request.session.kioskEntry = undefined;
      return entryPage(reply, admission, EMPTY_ENTRY, outcome.message, 409);
    }
    // A fresh session id for the exam: whatever cookie existed before the start reaches nothing now.
    await request.session.regenerate();
    request.session.examId = outcome.examId;
    request.session.examGeneration = 0;
    return reply.redirect('/examen/question/1', 303);
  });

  app.get('/examen/reprise', async (request, reply) => {
    if (!request.session.resumeExamId) return reply.redirect('/examen', 303);
    return kioskPage(reply, 'entry/resume', resumeView(''), RESUME_TITLE);
  });

  app.post('/examen/reprise', async (request: FastifyRequest<{ Body: { date_naissance?: string } }>, reply) => {
    const examId = request.session.resumeExamId;
    const admission = await terminalAdmission(request);
    if (!examId || !admission) return reply.redirect('/examen', 303);
    const value = field(request.body?.date_naissance, 40);
    const outcome = await resumeOnThisTerminal(app.db, app.clock, { examId, birthDate: value, ip: request.ip, admission });
    if (outcome.kind === 'gone') return reply.redirect('/examen', 303);
    // Not a date: said at the field, and no attempt was counted.
    if (outcome.kind === 'unreadable') return kioskPage(reply, 'entry/resume', resumeView(value, { error: outcome.message }), RESUME_TITLE, 400);
    if (outcome.kind === 'refused') {
      // A 403 refuses the terminal, not the date: the field is not marked wrong then.
      const view = resumeView(value, { failure: outcome.message, dateRefused: outcome.status !== 403 });
      return kioskPage(reply, 'entry/resume', view, RESUME_TITLE, outcome.status);
    }
    await request.session.regenerate();
    request.session.examId = examId;
    request.session.examGeneration = outcome.generation;
    return reply.redirect(`/examen/question/${outcome.nextPosition}`, 303);
  });
}
