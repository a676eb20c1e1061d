import type { FastifyInstance } from 'fastify';
import {
  ANOMALY_WINDOW_DAYS,
  DONT_KNOW_SHARE,
  examMinutes,
  isMostlyDontKnow,
  isRushed,
  isVolumeSurge,
  RUSHED_EXAM_MINUTES,
  SURGE_FACTOR,
  SURGE_FLOOR,
  SURGE_HISTORY_WEEKS,
  usualWeeklyVolume,
} from '../../../domain/anomalies.js';
import { formatCentreId } from '../../../domain/centre-id.js';
import { formatParisDateTime } from '../../../domain/paris-time.js';
import { centreVolumes, dontKnowExams, rushedExams } from './queries.js';

const oneDecimal = new Intl.NumberFormat('fr-FR', { maximumFractionDigits: 1 });

type ExamRow = Awaited<ReturnType<typeof rushedExams>>[number];

function presentExam(row: ExamRow) {
  return {
    id: row.id,
    centreId: row.centre_id,
    centre: `${formatCentreId(row.centre_id)} — ${row.centre_name}`,
    candidate: `${row.last_name} ${row.first_name}`,
    startedAt: formatParisDateTime(row.started_at),
    minutes: row.finished_at ? oneDecimal.format(examMinutes(row.started_at, row.finished_at)) : '—',
    score: row.score === null ? '—' : `${row.score} / ${row.maximum}`,
  };
}

/**
 * The national view of anomalies (admin area): exams that look like probes of the answer key, and
 * centres far above their usual volume. Read only; each line leads to the centre.
 */
export default async function anomalyRoutes(app: FastifyInstance) {
  app.get('/admin/anomalies', async (_request, reply) => {
    const now = app.clock.now();
    const [rushed, dontKnow, volumes] = await Promise.all([rushedExams(app.db, now), dontKnowExams(app.db, now), centreVolumes(app.db, now)]);
    const surges = volumes
      .map((v) => ({ ...v, lastWeek: Number(v.last_week), history: Number(v.history) }))
      .filter((v) => isVolumeSurge(v.lastWeek, v.history))
      .map((v) => ({
        centreId: v.id,
        centre: `${formatCentreId(v.id)} — ${v.name}`,
        lastWeek: v.lastWeek,
        usual: oneDecimal.format(usualWeeklyVolume(v.history)),
      }))
      .sort((a, b) => b.lastWeek - a.lastWeek);
    return reply.render(
      'admin/anomalies/list',
      {
        rushed: rushed
          .filter((r) => r.finished_at && r.finish_reason && isRushed({ startedAt: r.started_at, finishedAt: r.finished_at, finishReason: r.finish_reason }))
          .map(presentExam),
        dontKnow: dontKnow
          .filter((r) => isMostlyDontKnow(Number(r.dont_know), Number(r.questions)))
          .map((r) => ({ ...presentExam(r), dontKnow: `${Number(r.dont_know)} / ${Number(r.questions)}` })),
        surges,
        rules: {
          windowDays: ANOMALY_WINDOW_DAYS,
          rushedMinutes: RUSHED_EXAM_MINUTES,
          dontKnowPercent: DONT_KNOW_SHARE * 100,
          surgeFactor: SURGE_FACTOR,
          surgeFloor: SURGE_FLOOR,
          historyWeeks: SURGE_HISTORY_WEEKS,
        },
      },
      { title: 'Anomalies' },
    );
  });
}
