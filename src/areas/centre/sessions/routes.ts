import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  canClose,
  canOpen,
  effectiveStatus,
  isOpenForExams,
  SESSION_STATUS_LABELS,
  type NewSessionField,
  type NewSessionInput,
} from '../../../domain/exam-session-rules.js';
import { formatLongDate, formatParisDateTime, formatShortDate, parisDate, parisTime } from '../../../domain/paris-time.js';
import { toCsv } from '../../../domain/csv.js';
import { formatTokenCode } from '../../../domain/token-code.js';
import { notFound } from '../../../plugins/errors.js';
import { recordAudit, requestActor } from '../../../services/audit.js';
import { centreOf } from '../current-centre.js';
import { closeSession, createSession, openSession } from './lifecycle.js';
import { findSession, listSessions, sessionCandidates, type ExamSession } from './queries.js';
import { bodyField, idParam } from '../../../plugins/params.js';
import { formatRemaining, remainingSeconds } from '../../../domain/exam-clock.js';
import { PROFILE_LABELS } from '../../../domain/profiles.js';
import { finishExpiredExams } from '../../../services/exam/lifecycle.js';

type Params = { Params: { id: string } };



type CandidateRow = Awaited<ReturnType<typeof sessionCandidates>>[number];

/** A candidate of the room as the session page shows it: how far along, or the result. */
function presentCandidate(row: CandidateRow, now: Date) {
  const running = row.finished_at === null;
  return {
    id: row.id,
    name: `${row.last_name} ${row.first_name}`,
    profileLabel: PROFILE_LABELS[row.profile],
    startedAt: parisTime(new Date(row.started_at)),
    running,
    progress: `${Number(row.answered)} / ${Number(row.questions)}`,
    remaining: running ? formatRemaining(remainingSeconds(new Date(row.deadline_at), now)) : null,
    extraMinutes: row.extra_minutes,
    finishedByDeadline: row.finish_reason === 'delai',
    score: running ? null : `${row.score} / ${row.maximum}`,
    verdict: running ? null : row.passed ? 'Admis' : 'Non admis',
  };
}

/** A session as the pages show it: the status the rules give now, dates in French. */
export function presentSession(session: ExamSession, now: Date) {
  const status = effectiveStatus(session, now);
  const dayPassed = session.date < parisDate(now);
  const opening = canOpen(session, now);
  return {
    ...session,
    status,
    statusLabel: status === 'planned' && dayPassed ? 'Non ouverte (jour passé)' : SESSION_STATUS_LABELS[status],
    longDate: formatLongDate(session.date),
    openForExams: isOpenForExams(session, now),
    canOpen: opening.ok,
    /** Why a planned session cannot be opened now (too early, or its day is over). */
    openRefusal: status === 'planned' && !opening.ok ? opening.message : null,
    canClose: canClose(session, now).ok,
    openedAtText: session.openedAt ? formatParisDateTime(session.openedAt) : null,
    closedAtText: session.closedAt ? formatParisDateTime(session.closedAt) : null,
  };
}

const FORM_FIELDS: Record<NewSessionField, string> = { date: 'date', startTime: 'heure_debut', room: 'salle', supervisor: 'surveillant' };

function renderNewForm(reply: FastifyReply, today: string, values: NewSessionInput, errors: Partial<Record<NewSessionField, string>> = {}, status = 200) {
  const order: NewSessionField[] = ['date', 'startTime', 'room', 'supervisor'];
  const summary = order.filter((f) => errors[f]).map((f) => ({ id: FORM_FIELDS[f], message: errors[f]! }));
  return reply.render('centre/sessions/new', { values, errors, summary, today }, { title: 'Créer une session d’examen', status });
}

/** The manager's exam sessions (manager area: role and current centre are checked in app.ts). */
export default async function examSessionRoutes(app: FastifyInstance) {
  app.get('/centre/sessions', async (request, reply) => {
    const centre = centreOf(request);
    const now = app.clock.now();
    const byDay = await listSessions(app.db, centre.id, now);
    const present = (list: ExamSession[]) => list.map((s) => presentSession(s, now));
    return reply.render(
      'centre/sessions/list',
      { centre, today: present(byDay.today), upcoming: present(byDay.upcoming), past: present(byDay.past), todayText: formatLongDate(parisDate(now)) },
      { title: 'Sessions d’examen' },
    );
  });

  app.get('/centre/sessions/nouvelle', async (request, reply) => {
    centreOf(request);
    const today = parisDate(app.clock.now());
    return renderNewForm(reply, today, { date: today, startTime: '', room: '', supervisor: '' });
  });

  app.post('/centre/sessions/nouvelle', async (request, reply) => {
    const centre = centreOf(request);
    const values: NewSessionInput = {
      date: bodyField(request, 'date'),
      startTime: bodyField(request, 'heure_debut'),
      room: bodyField(request, 'salle'),
      supervisor: bodyField(request, 'surveillant'),
    };
    const outcome = await createSession(app.db, app.clock, centre.id, values, { actor: requestActor(request), ip: request.ip });
    if (!outcome.ok) return renderNewForm(reply, parisDate(app.clock.now()), values, outcome.errors, 400);
    reply.flash('success', 'La session est créée. Ouvrez-la le jour venu, au moment où les candidats s’installent.');
    return reply.redirect(`/centre/sessions/${outcome.sessionId}`, 303);
  });

  app.get('/centre/sessions/:id', async (request: FastifyRequest<Params>, reply) => {
    const centre = centreOf(request);
    const id = idParam(request.params.id);
    const now = app.clock.now();
    const session = await findSession(app.db, centre.id, id, now);
    if (!session) throw notFound();
    const shown = presentSession(session, now);
    // Exams whose time is over are finished first: the room shows them as finished, with their result.
    await finishExpiredExams(app.db, app.clock);
    const candidates = (await sessionCandidates(app.db, centre.id, id)).map((row) => presentCandidate(row, now));
    const room = {
      candidates,
      running: candidates.filter((c) => c.running).length,
      finished: candidates.filter((c) => !c.running).length,
      passed: candidates.filter((c) => c.verdict === 'Admis').length,
      updatedAt: parisTime(now),
    };
    return reply.render('centre/sessions/show', { centre, session: shown, room }, { title: `Session du ${shown.longDate}` });
  });

  app.get('/centre/sessions/:id/resultats.csv', async (request: FastifyRequest<Params>, reply) => {
    const centre = centreOf(request);
    const id = idParam(request.params.id);
    const session = await findSession(app.db, centre.id, id, app.clock.now());
    if (!session) throw notFound();
    await finishExpiredExams(app.db, app.clock);
    const rows = await sessionCandidates(app.db, centre.id, id);
    // Personal data leaves the platform: the journal says who took it.
    await recordAudit(app.db, app.clock, {
      action: 'session.export_resultats',
      actor: requestActor(request),
      target: { type: 'session', id },
      details: { candidats: rows.length },
      ip: request.ip,
    });
    const when = (iso: string | null) => (iso ? `${formatShortDate(parisDate(new Date(iso)))} ${parisTime(new Date(iso))}` : null);
    const csv = toCsv(
      ['Nom', 'Prénom', 'Date de naissance', 'Entreprise', 'Profil', 'Questionnaire', 'Jeton', 'Début', 'Fin', 'Fin par', 'Questions répondues', 'Questions', 'Note', 'Maximum', 'Seuil', 'Résultat'],
      rows.map((r) => [
        r.last_name,
        r.first_name,
        formatShortDate(r.birth_date),
        r.company,
        PROFILE_LABELS[r.profile],
        r.version,
        formatTokenCode(r.code),
        when(r.started_at),
        when(r.finished_at),
        r.finish_reason === 'delai' ? 'temps écoulé' : r.finish_reason === 'candidat' ? 'candidat' : null,
        Number(r.answered),
        Number(r.questions),
        r.score,
        r.maximum,
        r.pass_mark,
        r.finished_at === null ? 'En cours' : r.passed ? 'Admis' : 'Non admis',
      ]),
    );
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="resultats-${centre.code}-${session.date}-session-${id}.csv"`)
      .send(csv);
  });

  app.post('/centre/sessions/:id/ouvrir', async (request: FastifyRequest<Params>, reply) => {
    const centre = centreOf(request);
    const id = idParam(request.params.id);
    const outcome = await openSession(app.db, app.clock, centre, id, { actor: requestActor(request), ip: request.ip });
    if (!outcome) throw notFound();
    if (outcome.ok) reply.flash('success', 'La session est ouverte : les candidats peuvent commencer leur examen sur les postes de la salle.');
    else reply.flash('error', outcome.message);
    return reply.redirect(`/centre/sessions/${id}`, 303);
  });

  app.get('/centre/sessions/:id/fermer', async (request: FastifyRequest<Params>, reply) => {
    const centre = centreOf(request);
    const id = idParam(request.params.id);
    const now = app.clock.now();
    const session = await findSession(app.db, centre.id, id, now);
    if (!session) throw notFound();
    const rule = canClose(session, now);
    if (!rule.ok) {
      reply.flash('error', rule.message);
      return reply.redirect(`/centre/sessions/${id}`, 303);
    }
    return reply.render('centre/sessions/confirm-close', { session: presentSession(session, now) }, { title: 'Fermer la session' });
  });

  app.post('/centre/sessions/:id/fermer', async (request: FastifyRequest<Params>, reply) => {
    const centre = centreOf(request);
    const id = idParam(request.params.id);
    const outcome = await closeSession(app.db, app.clock, centre.id, id, { actor: requestActor(request), ip: request.ip });
    if (!outcome) throw notFound();
    if (outcome.ok) reply.flash('success', 'La session est fermée : plus aucun examen ne peut y commencer.');
    else reply.flash('error', outcome.message);
    return reply.redirect(`/centre/sessions/${id}`, 303);
  });
}
