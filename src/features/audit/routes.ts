import type { FastifyInstance, FastifyRequest } from 'fastify';
import { containsText } from '../../db/like.js';
import { formatParisDateTime } from '../../domain/paris-time.js';

const PAGE_SIZE = 100;

/** The administrator reads the audit log, newest first, filtered by action or actor (admin area). */
export default async function auditRoutes(app: FastifyInstance) {
  app.get('/admin/journal', async (request: FastifyRequest<{ Querystring: { q?: string; page?: string } }>, reply) => {
    const q = String(request.query.q ?? '').trim().slice(0, 100);
    const page = Math.max(1, Math.min(10_000, Number.parseInt(String(request.query.page ?? '1'), 10) || 1));
    let query = app.db.selectFrom('audit_log').selectAll();
    if (q) {
      query = query.where((eb) => eb.or([containsText('action', q), containsText('actor_label', q), containsText('target_id', q)]));
    }
    const rows = await query
      .orderBy('id', 'desc')
      .limit(PAGE_SIZE + 1)
      .offset((page - 1) * PAGE_SIZE)
      .execute();
    return reply.render(
      'audit/list',
      {
        q,
        page,
        hasNext: rows.length > PAGE_SIZE,
        entries: rows.slice(0, PAGE_SIZE).map((r) => ({ ...r, atText: formatParisDateTime(r.at) })),
      },
      { title: 'Journal d’audit' },
    );
  });
}
