import type { FastifyInstance, FastifyRequest } from 'fastify';
import { actionsWithLabelContaining, auditActionLabel, auditDetailLines } from '../../../domain/audit-labels.js';
import { parseCentreId } from '../../../domain/centre-id.js';
import { formatParisDateTime } from '../../../domain/paris-time.js';
import { auditTargets, listAuditEntries } from './queries.js';
import { targetIdsOf, targetNamer } from './targets.js';

const PAGE_SIZE = 100;

/**
 * The administrator reads the audit log, newest first: French labels, Paris times, readable
 * details and named targets. The filter finds an action (by code or label), an actor, a target;
 * a centre ID (`centre0001`) finds the rows about that centre and what belongs to it.
 */
export default async function auditRoutes(app: FastifyInstance) {
  app.get('/admin/journal', async (request: FastifyRequest<{ Querystring: { q?: string; page?: string } }>, reply) => {
    const q = String(request.query.q ?? '')
      .trim()
      .slice(0, 100);
    const page = Math.max(1, Math.min(10_000, Number.parseInt(String(request.query.page ?? '1'), 10) || 1));
    const filter = { text: q, centreNumber: parseCentreId(q), actions: actionsWithLabelContaining(q) };
    const rows = await listAuditEntries(app.db, filter, (page - 1) * PAGE_SIZE, PAGE_SIZE + 1);
    const shown = rows.slice(0, PAGE_SIZE);
    const nameTarget = targetNamer(await auditTargets(app.db, targetIdsOf(shown)));
    return reply.render(
      'admin/audit/list',
      {
        q,
        page,
        hasNext: rows.length > PAGE_SIZE,
        entries: shown.map((r) => ({
          at: r.at,
          atText: formatParisDateTime(r.at),
          actor: r.actor_label,
          action: r.action,
          actionLabel: auditActionLabel(r.action),
          target: nameTarget(r),
          details: auditDetailLines(r.details),
          ip: r.ip,
        })),
      },
      { title: 'Journal d’audit' },
    );
  });
}
