import type { FastifyInstance } from 'fastify';

/** The national administrator's dashboard (the admin area's guard is in app.ts). */
export default async function adminRoutes(app: FastifyInstance) {
  app.get('/admin', async (_request, reply) => {
    const [centres, managers] = await Promise.all([
      app.db.selectFrom('centres').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
      app.db
        .selectFrom('accounts')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('role', '=', 'manager')
        .executeTakeFirstOrThrow(),
    ]);
    return reply.render('admin/dashboard', { centreCount: centres.n, managerCount: managers.n }, { title: 'Administration nationale' });
  });
}
