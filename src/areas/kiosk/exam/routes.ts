import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { readIdentity, type Identity, type IdentityInput } from '../../../domain/candidate-identity.js';
import { formatRemaining, isPastDeadline, remainingSeconds } from '../../../domain/exam-clock.js';
import { parisDate } from '../../../domain/paris-time.js';
import { PROFILE_LABELS } from '../../../domain/profiles.js';
import { maximumScore, passMark } from '../../../domain/rules.js';
import { KIOSK_CENTRE_POLICY, KIOSK_TERMINAL_POLICY, retryMessage } from '../../../domain/throttle.js';
import { parseCentreId } from '../../../domain/centre-id.js';
import { checkTokenEntry } from '../entry/token-check.js';
import { sendQuestionImage } from '../../../services/question-images.js';
import { countFailure, latestLock } from '../../../services/throttle-store.js';
import type { Choice, SaveOutcome } from '../../../services/exam/answer-writer.js';
import { attachNewTerminal, finishExam, startExam } from '../../../services/exam/lifecycle.js';
import { findExamInProgressByToken, getExamHeader, getQuestionnaireForRules, getExamImage, getKioskQuestion, getOverview, getSessionChoices, type ExamHeader } from './queries.js';

interface KioskEntry {
  centreId: number;
  tokenId: number;
  questionnaireId: number;
  sessionIds: number[];
  sessionId: number | null;
  identity: Identity | null;
}

declare module 'fastify' {
  interface Session {
    /** A candidate between the entry form and "Commencer". */
    kioskEntry?: KioskEntry;
    /** The exam this terminal's candidate is sitting: the only one this cookie reaches. */
    examId?: number;
    /** The exam's terminal generation when this terminal joined it (see attachNewTerminal). */
    examGeneration?: number;
    /** An exam found again by centre + token, waiting for the birth date to be confirmed. */
    resumeExamId?: number;
  }
}

type Position = { Params: { n: string } };

const terminalKey = (ip: string) => `kiosque-poste:${ip}`;
const centreKey = (centreId: number) => `kiosque-centre:${centreId}`;

function render(reply: FastifyReply, template: string, data: Record<string, unknown>, title: string, status = 200) {
  return reply.render(`kiosk/${template}`, data, { layout: 'kiosk', title, status });
}

function rulesView(exam: { profile: keyof typeof PROFILE_LABELS; version: string; rules: ExamHeader['rules'] }) {
  return {
    profileLabel: PROFILE_LABELS[exam.profile],
    version: exam.version,
    rules: exam.rules,
    maximum: maximumScore(exam.rules),
    passMark: passMark(exam.rules),
  };
}

function parseChoice(raw: unknown): Choice | null | 'invalid' {
  if (raw === undefined || raw === '') return null;
  if (raw === 'nsp') return { kind: 'dontKnow' };
  const index = Number(raw);
  return Number.isInteger(index) && index >= 1 && index <= 4 ? { kind: 'answer', index } : 'invalid';
}

/**
 * The candidate's exam on the centre's terminals. Every page is a plain form or link; htmx only
 * saves a choice without leaving the page. No page may stay in the browser's history for the next
 * candidate (no-store: the default of plugins/security-headers.ts, which nothing here overrides), and
 * no page says which answer is right.
 */
export default async function kioskRoutes(app: FastifyInstance) {
  /** The candidate's exam, finished by the server first if its time is over; null when none. */
  async function currentExam(request: FastifyRequest): Promise<ExamHeader | null> {
    const examId = request.session.examId;
    if (!examId) return null;
    let exam = await getExamHeader(app.db, examId);
    if (exam && exam.terminalGeneration !== (request.session.examGeneration ?? 0)) {
      // Resumed on another terminal since: this one lets go of the exam.
      request.session.examId = undefined;
      request.session.examGeneration = undefined;
      request.session.flash = [
        ...(request.session.flash ?? []),
        { type: 'warning', text: 'Cet examen a été repris sur un autre poste : il ne peut plus être poursuivi sur celui-ci.' },
      ];
      return null;
    }
    if (exam && !exam.finishedAt && isPastDeadline(new Date(exam.deadlineAt), app.clock.now())) {
      await finishExam(app.db, app.clock, exam.id, 'delai');
      exam = await getExamHeader(app.db, examId);
    }
    return exam;
  }

  async function requireRunningExam(request: FastifyRequest, reply: FastifyReply): Promise<ExamHeader | null> {
    const exam = await currentExam(request);
    if (!exam) {
      await reply.redirect('/examen', 303);
      return null;
    }
    if (exam.finishedAt) {
      await reply.redirect('/examen/resultat', 303);
      return null;
    }
    return exam;
  }

  /** Counts a failed entry or resume against the terminal and the centre; returns the lock it caused, if any. */
  async function countKioskFailure(ip: string, centreId: number | null, now: Date): Promise<Date | null> {
    await countFailure(app.db, terminalKey(ip), now, KIOSK_TERMINAL_POLICY);
    if (centreId) await countFailure(app.db, centreKey(centreId), now, KIOSK_CENTRE_POLICY);
    return latestLock(app.db, [terminalKey(ip), ...(centreId ? [centreKey(centreId)] : [])], now);
  }

  function timer(exam: ExamHeader) {
    const seconds = remainingSeconds(new Date(exam.deadlineAt), app.clock.now());
    return { seconds, text: formatRemaining(seconds), deadline: exam.deadlineAt };
  }

  app.get('/examen.html', async (_request, reply) => reply.redirect('/examen', 301));

  app.get('/examen', async (request, reply) => {
    const exam = await currentExam(request);
    if (exam && !exam.finishedAt) return reply.redirect('/examen/question/1', 303);
    // A candidate who left without « Candidat suivant »: the next one gets an empty form, not the result.
    if (exam) request.session.examId = undefined;
    return render(reply, 'entry', { values: { centre: '', jeton: '' }, failure: null }, 'Accès à l’examen');
  });

  app.post('/examen', async (request: FastifyRequest<{ Body: { centre?: string; jeton?: string } }>, reply) => {
    const values = { centre: String(request.body?.centre ?? '').trim().slice(0, 40), jeton: String(request.body?.jeton ?? '').trim().slice(0, 60) };
    const now = app.clock.now();
    const centreNumber = parseCentreId(values.centre);
    const keys = [terminalKey(request.ip), ...(centreNumber ? [centreKey(centreNumber)] : [])];
    const refuse = (failure: string, status: number) => render(reply, 'entry', { values, failure }, 'Accès à l’examen', status);

    const lock = await latestLock(app.db, keys, now);
    if (lock) return refuse(`Trop de tentatives infructueuses. ${retryMessage(lock, now)}`, 429);
    if (!values.centre || !values.jeton) return refuse('Saisissez l’identifiant du centre et le jeton d’examen.', 400);

    // An exam in progress is resumed even once its session is closed: the candidate was already in.
    const inProgress = centreNumber ? await findExamInProgressByToken(app.db, centreNumber, values.jeton, now) : undefined;
    if (inProgress) {
      request.session.kioskEntry = undefined;
      request.session.resumeExamId = inProgress.id;
      return reply.redirect('/examen/reprise', 303);
    }
    const check = await checkTokenEntry(app.db, now, values.centre, values.jeton);
    if (!check.ok) {
      const locked = await countKioskFailure(request.ip, centreNumber, now);
      return locked ? refuse(`${check.message} Trop de tentatives infructueuses. ${retryMessage(locked, now)}`, 429) : refuse(check.message, 400);
    }
    const sessionIds = check.openSessions.map((s) => s.id);
    request.session.resumeExamId = undefined;
    request.session.kioskEntry = {
      centreId: check.centreId,
      tokenId: check.tokenId,
      questionnaireId: check.questionnaireId,
      sessionIds,
      sessionId: sessionIds.length === 1 ? sessionIds[0]! : null,
      identity: null,
    };
    return reply.redirect(sessionIds.length === 1 ? '/examen/identite' : '/examen/session', 303);
  });

  app.get('/examen/session', async (request, reply) => {
    const entry = request.session.kioskEntry;
    if (!entry) return reply.redirect('/examen', 303);
    return render(reply, 'choose-session', { sessions: await getSessionChoices(app.db, entry.sessionIds), error: null }, 'Choix de la session');
  });

  app.post('/examen/session', async (request: FastifyRequest<{ Body: { session?: string } }>, reply) => {
    const entry = request.session.kioskEntry;
    if (!entry) return reply.redirect('/examen', 303);
    const chosen = Number(request.body?.session);
    if (!entry.sessionIds.includes(chosen)) {
      const sessions = await getSessionChoices(app.db, entry.sessionIds);
      return render(reply, 'choose-session', { sessions, error: 'Choisissez la session dans laquelle vous passez l’examen.' }, 'Choix de la session', 400);
    }
    request.session.kioskEntry = { ...entry, sessionId: chosen };
    return reply.redirect('/examen/identite', 303);
  });

  app.get('/examen/identite', async (request, reply) => {
    const entry = request.session.kioskEntry;
    if (!entry?.sessionId) return reply.redirect('/examen', 303);
    const id = entry.identity;
    const values = { nom: id?.lastName ?? '', prenom: id?.firstName ?? '', date_naissance: id?.birthDate ?? '', entreprise: id?.company ?? '' };
    return render(reply, 'identity', { values, errors: {} }, 'Votre identité');
  });

  app.post('/examen/identite', async (request: FastifyRequest<{ Body: IdentityInput }>, reply) => {
    const entry = request.session.kioskEntry;
    if (!entry?.sessionId) return reply.redirect('/examen', 303);
    const result = readIdentity(request.body ?? {}, parisDate(app.clock.now()));
    if (!result.ok) return render(reply, 'identity', { values: result.values, errors: result.errors }, 'Votre identité', 400);
    request.session.kioskEntry = { ...entry, identity: result.identity };
    return reply.redirect('/examen/consignes', 303);
  });

  app.get('/examen/consignes', async (request, reply) => {
    const entry = request.session.kioskEntry;
    if (!entry?.identity) return reply.redirect('/examen', 303);
    const questionnaire = await getQuestionnaireForRules(app.db, entry.questionnaireId);
    return render(
      reply,
      'rules',
      { identity: entry.identity, ...rulesView(questionnaire), failure: null },
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
      return render(reply, 'entry', { values: { centre: '', jeton: '' }, failure: outcome.message }, 'Accès à l’examen', 409);
    }
    // A fresh session id for the exam: whatever cookie existed before the start reaches nothing now.
    await request.session.regenerate();
    request.session.examId = outcome.examId;
    request.session.examGeneration = 0;
    return reply.redirect('/examen/question/1', 303);
  });

  app.get('/examen/reprise', async (request, reply) => {
    if (!request.session.resumeExamId) return reply.redirect('/examen', 303);
    return render(reply, 'resume', { value: '', failure: null }, 'Reprendre l’examen');
  });

  app.post('/examen/reprise', async (request: FastifyRequest<{ Body: { date_naissance?: string } }>, reply) => {
    const examId = request.session.resumeExamId;
    if (!examId) return reply.redirect('/examen', 303);
    const now = app.clock.now();
    const value = String(request.body?.date_naissance ?? '').trim().slice(0, 10);
    const exam = await getExamHeader(app.db, examId);
    if (!exam) return reply.redirect('/examen', 303);
    const keys = [terminalKey(request.ip), centreKey(exam.centreId)];
    const lock = await latestLock(app.db, keys, now);
    if (lock) return render(reply, 'resume', { value, failure: `Trop de tentatives infructueuses sur ce poste. ${retryMessage(lock, now)}` }, 'Reprendre l’examen', 429);
    if (value !== exam.birthDate) {
      const locked = await countKioskFailure(request.ip, exam.centreId, now);
      const failure = 'Cette date de naissance ne correspond pas à celle saisie au début de l’examen.';
      if (locked) return render(reply, 'resume', { value, failure: `${failure} Trop de tentatives infructueuses sur ce poste. ${retryMessage(locked, now)}` }, 'Reprendre l’examen', 429);
      return render(reply, 'resume', { value, failure }, 'Reprendre l’examen', 400);
    }
    await request.session.regenerate();
    request.session.examId = examId;
    request.session.examGeneration = await attachNewTerminal(app.db, examId);
    const overview = await getOverview(app.db, examId);
    const next = overview.find((q) => !q.answered)?.position ?? 1;
    return reply.redirect(`/examen/question/${next}`, 303);
  });

  async function renderQuestion(request: FastifyRequest, reply: FastifyReply, exam: ExamHeader, position: number, notice: string | null = null) {
    const question = await getKioskQuestion(app.db, exam.id, position);
    if (!question) return reply.redirect('/examen/ensemble', 303);
    // The seq this page's form starts from. The same page sent twice carries the same seq (the later
    // arrival is the later choice); each new showing of the question starts higher than any before,
    // from the milliseconds since the start, so that a delayed request from an earlier showing loses
    // to a choice made since. (kiosk.js adds one per click: far fewer than milliseconds pass.)
    const nextSeq = Math.max(question.seq + 1, app.clock.now().getTime() - Date.parse(exam.startedAt));
    const overview = await getOverview(app.db, exam.id);
    return render(
      reply,
      'question',
      {
        exam,
        question,
        nextSeq,
        total: overview.length,
        answeredCount: overview.filter((q) => q.answered).length,
        timer: timer(exam),
        notice,
      },
      `Question ${position} sur ${overview.length}`,
    );
  }

  app.get('/examen/question/:n', async (request: FastifyRequest<Position & { Querystring: { modifiee?: string; invalide?: string } }>, reply) => {
    const exam = await requireRunningExam(request, reply);
    if (!exam) return reply;
    const notice =
      request.query.modifiee === '1' ? 'Cette question a été modifiée depuis un autre écran : voici la réponse enregistrée. Choisissez de nouveau si besoin.'
      : request.query.invalide === '1' ? 'Votre réponse n’a pas pu être enregistrée : voici la réponse enregistrée. Choisissez de nouveau.'
      : null;
    return renderQuestion(request, reply, exam, Number(request.params.n), notice);
  });

  app.post(
    '/examen/question/:n',
    // The answer to a save is a redirect or a one-line fragment: nothing to compress, so no hook.
    { config: { compress: false } },
    async (request: FastifyRequest<Position & { Body: { choix?: string; revoir?: string; seq?: string; aller?: string } }>, reply) => {
      const isHtmx = request.headers['hx-request'] === 'true';
      const examId = request.session.examId;
      if (!examId) return isHtmx ? reply.header('hx-redirect', '/examen').send('') : reply.redirect('/examen', 303);
      const position = Number(request.params.n);
      const choice = parseChoice(request.body?.choix);
      const seq = Number(request.body?.seq);
      let outcome: SaveOutcome = 'invalid';
      if (choice !== 'invalid' && Number.isSafeInteger(seq) && seq > 0) {
        outcome = await app.answerWriter.save(examId, {
          position,
          choice,
          flagged: request.body?.revoir === 'oui',
          seq,
          generation: request.session.examGeneration ?? 0,
        });
      }
      if (outcome === 'closed') {
        await finishExam(app.db, app.clock, examId, 'delai');
        return isHtmx ? reply.header('hx-redirect', '/examen/resultat').send('') : reply.redirect('/examen/resultat', 303);
      }
      if (outcome === 'detached') {
        // currentExam() on the next page lets go of the exam and says why.
        return isHtmx ? reply.header('hx-redirect', '/examen').send('') : reply.redirect('/examen', 303);
      }
      if (outcome === 'stale') {
        // A newer choice was saved from another page: nothing was saved here, so say so and show
        // the question as it now stands.
        if (isHtmx) return reply.header('hx-redirect', `/examen/question/${position}?modifiee=1`).send('');
        return reply.redirect(`/examen/question/${position}?modifiee=1`, 303);
      }
      if (isHtmx) {
        const text = outcome === 'invalid' ? 'Réponse non enregistrée : rechargez la page.' : 'Réponse enregistrée.';
        return reply.type('text/html; charset=utf-8').send(`<span class="k-saved${outcome === 'invalid' ? ' k-error' : ''}">${text}</span>`);
      }
      // A form the server cannot read (altered, or cut by the network): stay on the question and say so.
      if (outcome === 'invalid') return reply.redirect(`/examen/question/${position}?invalide=1`, 303);
      const go = request.body?.aller;
      const target =
        go === 'precedente' ? `/examen/question/${Math.max(1, position - 1)}`
        : go === 'ensemble' ? '/examen/ensemble'
        : go === 'terminer' ? '/examen/terminer'
        : `/examen/question/${position + 1}`;
      return reply.redirect(target, 303);
    },
  );

  app.get('/examen/images/:n', async (request: FastifyRequest<Position>, reply) => {
    const exam = await currentExam(request);
    if (!exam) return reply.code(404).send();
    return sendQuestionImage(reply, await getExamImage(app.db, exam.id, Number(request.params.n)), 'no-store');
  });

  app.get('/examen/ensemble', async (request, reply) => {
    const exam = await requireRunningExam(request, reply);
    if (!exam) return reply;
    const overview = await getOverview(app.db, exam.id);
    return render(reply, 'overview', { exam, overview, timer: timer(exam) }, 'Vue d’ensemble');
  });

  app.get('/examen/terminer', async (request, reply) => {
    const exam = await requireRunningExam(request, reply);
    if (!exam) return reply;
    const overview = await getOverview(app.db, exam.id);
    return render(
      reply,
      'finish',
      {
        exam,
        timer: timer(exam),
        unanswered: overview.filter((q) => !q.answered).map((q) => q.position),
        flagged: overview.filter((q) => q.flagged).map((q) => q.position),
      },
      'Terminer l’examen',
    );
  });

  app.post('/examen/terminer', async (request, reply) => {
    const exam = await currentExam(request);
    if (!exam) return reply.redirect('/examen', 303);
    if (!exam.finishedAt) await finishExam(app.db, app.clock, exam.id, 'candidat');
    return reply.redirect('/examen/resultat', 303);
  });

  app.get('/examen/resultat', async (request, reply) => {
    const exam = await currentExam(request);
    if (!exam) return reply.redirect('/examen', 303);
    if (!exam.finishedAt) return reply.redirect('/examen/question/1', 303);
    return render(reply, 'result', { exam, ...rulesView(exam) }, 'Résultat');
  });

  app.post('/examen/suivant', async (request, reply) => {
    await request.session.regenerate();
    return reply.redirect('/examen', 303);
  });
}
