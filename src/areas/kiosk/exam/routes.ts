import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { MAX_ANSWERS } from '../../../domain/bank/index.js';
import { VERDICT_LABELS, verdictOf } from '../../../domain/verdict.js';
import type { Choice, SaveOutcome } from '../../../services/exam/answer-writer.js';
import { finishExam } from '../../../services/exam/lifecycle.js';
import { sendQuestionImage } from '../../../plugins/question-images.js';
import { currentExam, kioskPage, rulesView, timerView } from '../terminal/session.js';
import type { ExamHeader } from '../terminal/queries.js';
import { getExamImage, getKioskQuestion, getOverview } from './queries.js';
import { positiveInteger } from '../../../plugins/params.js';
import { isHttps } from '../../../config.js';

type Position = { Params: { n: string } };

/**
 * A finished exam changes an HttpOnly cookie of the terminal: Chromium keeps a no-store page in its
 * back-forward cache only until such a cookie changes, so Back from the result, without JavaScript
 * to reload it, asks the server (which shows the result) rather than showing « Terminer l’examen ? »
 * again with a stopped timer. A cookie of its own, not a new session id: a second click on
 * « Terminer », still carrying the old session cookie, would otherwise find its session gone and be
 * refused (the session layer deletes a replaced id at once, on every instance).
 */
function markExamFinished(reply: FastifyReply, secure: boolean) {
  reply.setCookie('qcm_fin', randomBytes(9).toString('base64url'), { httpOnly: true, sameSite: 'lax', secure, path: '/' });
}

function parseChoice(raw: unknown): Choice | null | 'invalid' {
  if (raw === undefined || raw === '') return null;
  if (raw === 'nsp') return { kind: 'dontKnow' };
  const index = Number(raw);
  return Number.isInteger(index) && index >= 1 && index <= MAX_ANSWERS ? { kind: 'answer', index } : 'invalid';
}

/**
 * The candidate's exam once started: questions, saved choices, overview, finish, result. Every page
 * is a plain form or link; htmx only saves a choice without leaving the page. No page may stay in
 * the browser's history for the next candidate (no-store: the default of plugins/security-headers.ts,
 * which nothing here overrides), and no page says which answer is right.
 */
export default async function examRoutes(app: FastifyInstance) {
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
    if (exam.pausedAt) {
      await reply.redirect('/examen/pause', 303);
      return null;
    }
    return exam;
  }

  async function renderQuestion(request: FastifyRequest, reply: FastifyReply, exam: ExamHeader, position: number, notice: string | null = null) {
    const question = await getKioskQuestion(app.db, exam.id, position);
    if (!question) return reply.redirect('/examen/ensemble', 303);
    // The seq this page's form starts from. The same page sent twice carries the same seq (the later
    // arrival is the later choice); each new showing of the question starts higher than any before,
    // from the milliseconds since the start, so that a delayed request from an earlier showing loses
    // to a choice made since. (kiosk.js adds one per click: far fewer than milliseconds pass.)
    const nextSeq = Math.max(question.seq + 1, app.clock.now().getTime() - Date.parse(exam.startedAt));
    const overview = await getOverview(app.db, exam.id);
    return kioskPage(
      reply,
      'exam/question',
      {
        exam,
        question,
        nextSeq,
        total: overview.length,
        answeredCount: overview.filter((q) => q.answered).length,
        timer: timerView(exam, app.clock.now()),
        notice,
      },
      `Question ${position} sur ${overview.length}`,
    );
  }

  app.get('/examen/question/:n', async (request: FastifyRequest<Position & { Querystring: { modifiee?: string; invalide?: string } }>, reply) => {
    const exam = await requireRunningExam(request, reply);
    if (!exam) return reply;
    const notice =
      request.query.modifiee === '1'
        ? 'Cette question a été modifiée depuis un autre écran : voici la réponse enregistrée. Choisissez de nouveau si besoin.'
        : request.query.invalide === '1'
          ? 'Votre réponse n’a pas pu être enregistrée : voici la réponse enregistrée. Choisissez de nouveau.'
          : null;
    const position = positiveInteger(request.params.n);
    if (position === null) return reply.redirect('/examen/ensemble', 303);
    return renderQuestion(request, reply, exam, position, notice);
  });

  app.post(
    '/examen/question/:n',
    // The answer to a save is a redirect or a one-line fragment: nothing to compress, so no hook.
    { config: { compress: false } },
    async (request: FastifyRequest<Position & { Body: { choix?: string; revoir?: string; seq?: string; aller?: string } }>, reply) => {
      const examId = request.session.examId;
      if (!examId) return reply.navigate('/examen');
      // Not a position: the writer finds no such question and says it is invalid.
      const position = positiveInteger(request.params.n) ?? 0;
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
        markExamFinished(reply, isHttps(app.config));
        // The result says that this last choice came too late, rather than leaving it to be believed counted.
        return reply.navigate(choice === null ? '/examen/resultat' : '/examen/resultat?tardive=1');
      }
      // currentExam() on the next page lets go of the exam and says why.
      if (outcome === 'detached') return reply.navigate('/examen');
      // Nothing was saved: the pause page says why, and the choice is made again after it.
      if (outcome === 'paused') return reply.navigate('/examen/pause');
      // A newer choice was saved from another page: nothing was saved here, so say so and show the
      // question as it now stands.
      if (outcome === 'stale') return reply.navigate(`/examen/question/${position}?modifiee=1`);
      if (request.headers['hx-request'] === 'true') {
        return reply.render('kiosk/exam/saved', { saved: outcome === 'saved', answered: choice !== null }, { bare: true });
      }
      // A form the server cannot read (altered, or cut by the network): stay on the question and say so.
      if (outcome === 'invalid') return reply.redirect(`/examen/question/${position}?invalide=1`, 303);
      const go = request.body?.aller;
      const target =
        go === 'precedente'
          ? `/examen/question/${Math.max(1, position - 1)}`
          : go === 'ensemble'
            ? '/examen/ensemble'
            : go === 'terminer'
              ? '/examen/terminer'
              : `/examen/question/${position + 1}`;
      return reply.redirect(target, 303);
    },
  );

  /**
   * Where the terminal's exam stands, for kiosk.js to follow a pause, a cancellation or a move made
   * by the supervisor while the candidate reads a question (every few seconds: one session lookup and
   * one row, no write, nothing compressed).
   */
  app.get('/examen/etat', { config: { compress: false } }, async (request, reply) => {
    const exam = await currentExam(request);
    const state = !exam ? 'aucun' : exam.finishedAt ? 'termine' : exam.pausedAt ? 'pause' : 'en-cours';
    return reply.type('application/json; charset=utf-8').send(JSON.stringify({ etat: state }));
  });

  app.get('/examen/pause', async (request, reply) => {
    const exam = await currentExam(request);
    if (!exam) return reply.redirect('/examen', 303);
    if (exam.finishedAt) return reply.redirect('/examen/resultat', 303);
    if (!exam.pausedAt) return reply.redirect('/examen/ensemble', 303);
    return kioskPage(reply, 'exam/paused', { exam, timer: timerView(exam, app.clock.now()) }, 'Examen en pause');
  });

  app.get('/examen/images/:n', async (request: FastifyRequest<Position>, reply) => {
    const exam = await currentExam(request);
    if (!exam) return reply.code(404).send();
    const position = positiveInteger(request.params.n);
    if (position === null) return reply.code(404).send();
    return sendQuestionImage(reply, await getExamImage(app.db, exam.id, position), 'no-store');
  });

  app.get('/examen/ensemble', async (request, reply) => {
    const exam = await requireRunningExam(request, reply);
    if (!exam) return reply;
    const overview = await getOverview(app.db, exam.id);
    return kioskPage(reply, 'exam/overview', { exam, overview, timer: timerView(exam, app.clock.now()) }, 'Vue d’ensemble');
  });

  app.get('/examen/terminer', async (request, reply) => {
    const exam = await requireRunningExam(request, reply);
    if (!exam) return reply;
    const overview = await getOverview(app.db, exam.id);
    return kioskPage(
      reply,
      'exam/finish',
      {
        exam,
        timer: timerView(exam, app.clock.now()),
        unanswered: overview.filter((q) => !q.answered).map((q) => q.position),
        flagged: overview.filter((q) => q.flagged).map((q) => q.position),
      },
      'Terminer l’examen',
    );
  });

  app.post('/examen/terminer', async (request, reply) => {
    const exam = await currentExam(request);
    if (!exam) return reply.redirect('/examen', 303);
    // Paused, nothing finishes it: the pause page says why.
    if (exam.pausedAt && !exam.finishedAt) return reply.redirect('/examen/pause', 303);
    if (!exam.finishedAt) {
      await finishExam(app.db, app.clock, exam.id, 'candidat');
      markExamFinished(reply, isHttps(app.config));
    }
    return reply.redirect('/examen/resultat', 303);
  });

  app.get('/examen/resultat', async (request: FastifyRequest<{ Querystring: { tardive?: string } }>, reply) => {
    const exam = await currentExam(request);
    if (!exam) return reply.redirect('/examen', 303);
    if (!exam.finishedAt) return reply.redirect('/examen/question/1', 303);
    const verdict = verdictOf(exam);
    const lateChoice = request.query.tardive === '1' && exam.finishReason === 'delai';
    return kioskPage(reply, 'exam/result', { exam, ...rulesView(exam), verdict, verdictLabel: VERDICT_LABELS[verdict], lateChoice }, 'Résultat');
  });

  app.post('/examen/suivant', async (request, reply) => {
    await request.session.regenerate();
    return reply.redirect('/examen', 303);
  });
}
