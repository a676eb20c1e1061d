import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { canClose, type NewSessionField, type NewSessionInput } from '../../../domain/exam-session-rules.js';
import { formatLongDate, parisDate } from '../../../domain/paris-time.js';
import { notFound } from '../../../plugins/errors.js';
import { bodyField, idParam } from '../../../plugins/params.js';
import { requestActor, type Acting } from '../../../services/audit.js';
import { countSessionAttestations } from '../../../services/attestations/queries.js';
import { withdrawTerminal } from '../../../services/exam/admission.js';
import { sessionIncidents } from '../../../services/exam/incidents.js';
import { settleScope } from '../../../services/exam/lifecycle.js';
import type { ExamSession } from '../../../services/exam/sessions.js';
import { suspendedCentreMessage } from '../../../domain/centre-suspension.js';
import { centreOf } from '../current-centre/scope.js';
import { pauseExams, resumeExams } from '../exams/lifecycle.js';
import {
  closeSession,
  createSession,
  noteIncident,
  openSession,
  recordReportPrint,
  recordResultsExport,
  renewSessionCode,
  type TransitionOutcome,
} from './lifecycle.js';
import { presentIncidents, presentRoom, presentSession, presentTerminals } from './present.js';
import {
  centreHeading,
  getSession,
  listSessions,
  RECENT_PAST_DAYS,
  sessionCandidates,
  sessionReportCandidates,
  sessionTerminal,
  sessionTerminals,
} from './queries.js';
import { sessionReport } from './report.js';
import { sessionResultsCsv, sessionResultsFileName } from './results-csv.js';
import { centrePdfOwner } from '../../../services/pdf/browser-pool.js';
import { renderDocument } from '../../../services/pdf/documents.js';

type Params = { Params: { id: string } };

const FORM_FIELDS: Record<NewSessionField, string> = { date: 'date', startTime: 'heure_debut', room: 'salle', supervisor: 'surveillant' };

function renderNewForm(
  reply: FastifyReply,
  today: string,
  values: NewSessionInput,
  errors: Partial<Record<NewSessionField, string>> = {},
  status = 200,
  suspendedMessage: string | null = null,
) {
  const order: NewSessionField[] = ['date', 'startTime', 'room', 'supervisor'];
  const summary = order.filter((f) => errors[f]).map((f) => ({ id: FORM_FIELDS[f], message: errors[f]! }));
  return reply.render('centre/sessions/new', { values, errors, summary, today, suspendedMessage }, { title: 'Créer une session d’examen', status });
}

/** The manager's exam sessions (manager area: role and current centre are checked by the area, areas/centre/index.ts). */
export default async function examSessionRoutes(app: FastifyInstance) {
  /**
   * The session of the URL in the current centre (404 otherwise), once its exams whose time is over
   * are finished: the room then shows them as finished, with their result.
   */
  async function settledSession(request: FastifyRequest<Params>) {
    const centre = centreOf(request);
    const id = idParam(request.params.id);
    await settleScope(app.db, app.clock, { centreId: centre.id, sessionId: id });
    const session = await getSession(app.db, centre.id, id);
    if (!session) throw notFound();
    return { centre, id, session };
  }

  app.get('/centre/sessions', async (request, reply) => {
    const centre = centreOf(request);
    await settleScope(app.db, app.clock, { centreId: centre.id });
    const now = app.clock.now();
    const byDay = await listSessions(app.db, centre.id, now);
    const present = (list: ExamSession[]) => list.map((s) => presentSession(s, now));
    return reply.render(
      'centre/sessions/list',
      {
        centre,
        today: present(byDay.today),
        upcoming: present(byDay.upcoming),
        past: present(byDay.past),
        todayText: formatLongDate(parisDate(now)),
        recentPastDays: RECENT_PAST_DAYS,
      },
      { title: 'Sessions d’examen' },
    );
  });

  app.get('/centre/sessions/nouvelle', async (request, reply) => {
    const centre = centreOf(request);
    const today = parisDate(app.clock.now());
    const suspended = centre.status === 'suspended' ? suspendedCentreMessage('aucune session ne peut être créée', centre.suspensionReason) : null;
    return renderNewForm(reply, today, { date: today, startTime: '', room: '', supervisor: '' }, {}, 200, suspended);
  });

  app.post('/centre/sessions/nouvelle', async (request, reply) => {
    const centre = centreOf(request);
    const values: NewSessionInput = {
      date: bodyField(request, 'date'),
      startTime: bodyField(request, 'heure_debut'),
      room: bodyField(request, 'salle'),
      supervisor: bodyField(request, 'surveillant'),
    };
    const outcome = await createSession(app.db, app.clock, centre.id, values, { actor: requestActor(request) });
    if (!outcome.ok && 'suspended' in outcome) return renderNewForm(reply, parisDate(app.clock.now()), values, {}, 403, outcome.suspended);
    if (!outcome.ok) return renderNewForm(reply, parisDate(app.clock.now()), values, outcome.errors, 400);
    reply.flash(
      'success',
      values.date.trim() === parisDate(app.clock.now())
        ? 'La session est créée. Ouvrez-la au moment où les candidats s’installent.'
        : 'La session est créée. Ouvrez-la le jour venu, au moment où les candidats s’installent.',
    );
    return reply.redirect(`/centre/sessions/${outcome.sessionId}`, 303);
  });

  async function renderShow(
    request: FastifyRequest<Params>,
    reply: FastifyReply,
    incidentForm = { value: '', error: null as string | null },
    status = 200,
    pauseForm = { value: '', error: null as string | null },
  ) {
    const { centre, id, session } = await settledSession(request);
    const now = app.clock.now();
    const shown = presentSession(session, now);
    const room = presentRoom(await sessionCandidates(app.db, centre.id, id), now);
    const terminals = presentTerminals(session, await sessionTerminals(app.db, centre.id, id), now);
    const attestations = await countSessionAttestations(app.db, centre.id, id);
    const incidents = presentIncidents(await sessionIncidents(app.db, id), session.date);
    return reply.render(
      'centre/sessions/show',
      { centre, session: shown, room, terminals, attestations, incidents, incidentForm, pauseForm },
      { title: `Session du ${shown.longDate}`, status },
    );
  }

  app.get('/centre/sessions/:id', async (request: FastifyRequest<Params>, reply) => renderShow(request, reply));

  app.post('/centre/sessions/:id/pause', async (request: FastifyRequest<Params>, reply) => {
    const { centre, id } = await settledSession(request);
    const reason = bodyField(request, 'motif');
    const outcome = await pauseExams(app.db, app.clock, { centreId: centre.id, target: { sessionId: id }, reason }, { actor: requestActor(request) });
    if (!outcome) throw notFound();
    if (!outcome.ok && outcome.field) return renderShow(request, reply, undefined, 400, { value: reason, error: outcome.error });
    if (!outcome.ok) {
      reply.flash('error', outcome.error);
      return reply.redirect(`/centre/sessions/${id}#deroule`, 303);
    }
    reply.flash(
      'success',
      `${outcome.exams === 1 ? 'L’examen en cours est en pause' : `Les ${outcome.exams} examens en cours sont en pause`} : chaque poste l’affiche et le temps est arrêté.`,
    );
    return reply.redirect(`/centre/sessions/${id}#deroule`, 303);
  });

  app.post('/centre/sessions/:id/reprise-pause', async (request: FastifyRequest<Params>, reply) => {
    const { centre, id } = await settledSession(request);
    const outcome = await resumeExams(app.db, app.clock, { centreId: centre.id, target: { sessionId: id } }, { actor: requestActor(request) });
    if (!outcome) throw notFound();
    if (!outcome.ok) reply.flash('error', outcome.error);
    else
      reply.flash(
        'success',
        `${outcome.exams === 1 ? 'L’examen reprend' : `Les ${outcome.exams} examens reprennent`} : chaque candidat retrouve le temps qui lui restait.`,
      );
    return reply.redirect(`/centre/sessions/${id}#deroule`, 303);
  });

  app.post('/centre/sessions/:id/incidents', async (request: FastifyRequest<Params>, reply) => {
    const { centre, id } = await settledSession(request);
    const text = bodyField(request, 'incident');
    const outcome = await noteIncident(app.db, app.clock, centre.id, id, text, { actor: requestActor(request) });
    if (!outcome.ok) return renderShow(request, reply, { value: text, error: outcome.error }, 400);
    reply.flash('success', 'L’incident est noté dans le déroulé de la session.');
    return reply.redirect(`/centre/sessions/${id}#deroule`, 303);
  });

  async function reportHtml(request: FastifyRequest<Params>) {
    const { centre, id, session } = await settledSession(request);
    const [heading, candidates, incidents] = await Promise.all([
      centreHeading(app.db, centre.id),
      sessionReportCandidates(app.db, centre.id, id),
      sessionIncidents(app.db, id),
    ]);
    const report = sessionReport(heading, session, candidates, incidents, app.clock.now());
    return { centre, session, report, html: renderDocument('session-report/document', report) };
  }

  /** The session report (procès-verbal): an HTML preview, and its PDF from the platform's one browser. */
  app.get('/centre/sessions/:id/proces-verbal', async (request: FastifyRequest<Params>, reply) => reply.sendDocument((await reportHtml(request)).html));

  app.get('/centre/sessions/:id/proces-verbal.pdf', async (request: FastifyRequest<Params>, reply) => {
    const { centre, session, report, html } = await reportHtml(request);
    const pdf = await app.browserPool.htmlToPdf(
      html,
      { title: report.title, author: `${centre.name} (${centre.code})`, subject: 'Procès-verbal de session d’examen AIPR' },
      centrePdfOwner(centre.code),
    );
    await recordReportPrint(app.db, app.clock, session.id, report.candidates.length, { actor: requestActor(request) });
    return reply.sendPdf(pdf, `proces-verbal-${centre.code}-${session.date}-session-${session.id}.pdf`);
  });

  app.get('/centre/sessions/:id/resultats.csv', async (request: FastifyRequest<Params>, reply) => {
    const { centre, id, session } = await settledSession(request);
    const rows = await sessionCandidates(app.db, centre.id, id);
    await recordResultsExport(app.db, app.clock, session.id, rows.length, { actor: requestActor(request) });
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="${sessionResultsFileName(centre.code, session)}"`)
      .send(sessionResultsCsv(rows));
  });

  /**
   * A button that changes the session (open, new code, close): the lifecycle decides, the page
   * tells the outcome in a flash; another centre's session is 404.
   */
  function sessionAction(
    path: string,
    change: (centre: ReturnType<typeof centreOf>, id: number, acting: Acting) => Promise<TransitionOutcome>,
    success: string,
    anchor = '',
  ) {
    app.post(`/centre/sessions/:id/${path}`, async (request: FastifyRequest<Params>, reply) => {
      const id = idParam(request.params.id);
      const outcome = await change(centreOf(request), id, { actor: requestActor(request) });
      if (!outcome) throw notFound();
      if (outcome.ok) reply.flash('success', success);
      else reply.flash('error', outcome.message);
      return reply.redirect(`/centre/sessions/${id}${anchor}`, 303);
    });
  }

  sessionAction(
    'ouvrir',
    (centre, id, acting) => openSession(app.db, app.clock, centre, id, acting),
    'La session est ouverte : les candidats peuvent commencer leur examen sur les postes de la salle.',
  );

  sessionAction(
    'code',
    (centre, id, acting) => renewSessionCode(app.db, app.clock, centre.id, id, acting),
    'Nouveau code de session : l’ancien n’admet plus aucun poste ; les postes déjà admis le restent.',
    '#postes',
  );

  app.get('/centre/sessions/:id/postes/:poste/retirer', async (request: FastifyRequest<{ Params: { id: string; poste: string } }>, reply) => {
    const centre = centreOf(request);
    const id = idParam(request.params.id);
    const session = await getSession(app.db, centre.id, id);
    const terminal = session ? await sessionTerminal(app.db, centre.id, id, idParam(request.params.poste)) : undefined;
    if (!session || !terminal) throw notFound();
    const shown = presentTerminals(session, [terminal], app.clock.now()).terminals[0]!;
    if (shown.withdrawnAt) {
      reply.flash('info', `Le poste ${shown.name} est déjà retiré de la session.`);
      return reply.redirect(`/centre/sessions/${id}#postes`, 303);
    }
    return reply.render(
      'centre/sessions/confirm-withdraw',
      { session: presentSession(session, app.clock.now()), terminal: shown },
      { title: 'Retirer un poste' },
    );
  });

  app.post('/centre/sessions/:id/postes/:poste/retirer', async (request: FastifyRequest<{ Params: { id: string; poste: string } }>, reply) => {
    const centre = centreOf(request);
    const id = idParam(request.params.id);
    const outcome = await withdrawTerminal(
      app.db,
      app.clock,
      { centreId: centre.id, sessionId: id, admissionId: idParam(request.params.poste) },
      { actor: requestActor(request) },
    );
    if (!outcome) throw notFound();
    reply.flash(
      'success',
      outcome.detached > 0
        ? 'Le poste est retiré de la session, et l’examen qui s’y déroulait en est détaché : le candidat peut le reprendre sur un poste admis, avec votre autorisation.'
        : 'Le poste est retiré de la session : il ne peut plus commencer ni reprendre d’examen.',
    );
    return reply.redirect(`/centre/sessions/${id}#postes`, 303);
  });

  app.get('/centre/sessions/:id/fermer', async (request: FastifyRequest<Params>, reply) => {
    const { centre, id, session } = await settledSession(request);
    const now = app.clock.now();
    const rule = canClose(session, now);
    if (!rule.ok) {
      reply.flash('error', rule.message);
      return reply.redirect(`/centre/sessions/${id}`, 303);
    }
    const running = (await sessionCandidates(app.db, centre.id, id)).filter((c) => c.finished_at === null).length;
    return reply.render('centre/sessions/confirm-close', { session: presentSession(session, now), running }, { title: 'Fermer la session' });
  });

  sessionAction(
    'fermer',
    (centre, id, acting) => closeSession(app.db, app.clock, centre.id, id, acting),
    'La session est fermée : plus aucun examen ne peut y commencer ; les candidats qui composaient encore terminent leur examen.',
  );
}
