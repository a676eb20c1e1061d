import type { FastifyInstance, FastifyRequest } from 'fastify';
import { formatParisDateTime } from '../../../domain/paris-time.js';
import { listAuditEntries } from './queries.js';

const PAGE_SIZE = 100;

/** The administrator reads the audit log, newest first, filtered by action or actor (admin area). */
export default async function auditRoutes(app: FastifyInstance) {
  app.get('/admin/journal', async (request: FastifyRequest<{ Querystring: { q?: string; page?: string } }>, reply) => {
    const q = String(request.query.q ?? '')
      .trim()
      .slice(0, 100);
    const page = Math.max(1, Math.min(10_000, Number.parseInt(String(request.query.page ?? '1'), 10) || 1));
    const rows = await listAuditEntries(app.db, q, (page - 1) * PAGE_SIZE, PAGE_SIZE + 1);
    return reply.render(
      'admin/audit/list',
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
