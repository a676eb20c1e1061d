import type { FastifyInstance, FastifyReply } from 'fastify';
import { plural } from '../../../domain/french.js';
import { describePurge, parseRetentionYears, RETENTION_YEARS_MAX, RETENTION_YEARS_MIN } from '../../../domain/retention.js';
import { bodyField } from '../../../plugins/params.js';
import { requestActor, SYSTEM_ACTOR } from '../../../services/audit.js';
import { identityRetentionYears, purgePersonalData } from '../../../services/personal-data.js';
import { setIdentityRetentionYears } from './lifecycle.js';

const TITLE = 'Données personnelles';

/** `/admin/donnees-personnelles`: how long candidates' identities are kept, and what the next daily purge will anonymise. */
export default async function personalDataRoutes(app: FastifyInstance) {
  async function render(reply: FastifyReply, form: { value: string; error?: string } | null, status = 200) {
    // A dry run only reads: the page shows what the daily job will do with the period in force.
    const preview = await purgePersonalData(app.db, app.clock, { dryRun: true, actor: SYSTEM_ACTOR });
    return reply.render(
      'admin/personal-data/show',
      {
        form: form ?? { value: String(await identityRetentionYears(app.db)) },
        range: { min: RETENTION_YEARS_MIN, max: RETENTION_YEARS_MAX },
        preview: describePurge(preview),
      },
      { title: TITLE, status },
    );
  }

  app.get('/admin/donnees-personnelles', async (_request, reply) => render(reply, null));

  app.post('/admin/donnees-personnelles', async (request, reply) => {
    const raw = bodyField(request, 'conservation_annees');
    const parsed = parseRetentionYears(raw);
    if (!parsed.ok) return render(reply, { value: raw, error: parsed.message }, 400);
    await setIdentityRetentionYears(app.db, app.clock, parsed.value, { actor: requestActor(request) });
    reply.flash('success', `Les identités des candidats sont conservées ${plural(parsed.value, 'an')} après l’examen.`);
    return reply.redirect('/admin/donnees-personnelles', 303);
  });
}
