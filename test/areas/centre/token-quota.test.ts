/**
 * The daily quota of tokens of a centre (security review, issue 11, medium item 8): a manager who
 * generated tokens without end could sit exams himself and collect the answer key one question at
 * a time. Each generation checks the Paris day's batches of the centre against its quota (its own,
 * or the national default of 200) in the transaction that adds the batch.
 */
import t from 'tap';
import { createTokenBatch } from '../../../src/areas/centre/tokens/lifecycle.js';
import { generateTokens } from '../../../src/operator/generate-tokens.js';
import { twoCentres, type TwoCentres } from '../../helpers/exam-fixtures.js';
import { decodeEntities, field, h1 } from '../../helpers/html.js';
import type { LightMyRequestResponse } from 'fastify';
import type { Agent } from '../../helpers/app.js';
import { signedInAgent } from '../../helpers/agents.js';
import { MANAGER_A } from '../../helpers/exam-fixtures.js';

const CONTACT = 'Pour un besoin exceptionnel, contactez l’administration nationale.';

/** Posts the manager's form for `count` tokens of the operator questionnaire. */
async function ask(ctx: TwoCentres, agent: Agent, count: number | string) {
  await agent.get('/centre/jetons/nouvelle-table');
  return agent.post('/centre/jetons/nouvelle-table', { questionnaire: String(ctx.questionnaireId), nombre: String(count), confirme: '1' });
}

/** What became of a posted form: 'generated' (to the new table's page), 'refused' (the form again, 400), or else what was answered. */
function outcome(res: LightMyRequestResponse): string {
  if (res.statusCode === 303 && /^\/centre\/jetons\/lots\/\d+$/.test(String(res.headers.location))) return 'generated';
  if (res.statusCode === 400) return 'refused';
  return `${res.statusCode} ${String(res.headers.location ?? '')}`;
}

/** Asks as `ask` does and tells what became of it. */
async function generate(ctx: TwoCentres, agent: Agent, count: number): Promise<string> {
  return outcome(await ask(ctx, agent, count));
}

/** Tokens and batches of a centre, as stored. */
async function stored(ctx: TwoCentres, centreId: number) {
  const tokens = await ctx.db.selectFrom('exam_tokens').select('id').where('centre_id', '=', centreId).execute();
  const batches = await ctx.db.selectFrom('token_batches').select('size').where('centre_id', '=', centreId).execute();
  return { tokens: tokens.length, batches: batches.length, issued: batches.reduce((sum, b) => sum + b.size, 0) };
}

/** The quota line under the count field of /centre/jetons/nouvelle-table. */
async function hint(agent: Agent): Promise<string | null> {
  const page = await agent.get('/centre/jetons/nouvelle-table');
  const text = /<span id="nombre-quota">([^<]*)<\/span>/.exec(page.body)?.[1];
  return text === undefined ? null : decodeEntities(text);
}

t.test('the unlimited tokens attack: past the quota of the day, the form refuses at the count field and nothing is created', async (t) => {
  const ctx = await twoCentres(t); // 29 November 2026, 10:00 in Paris; national default 200
  t.equal(await hint(ctx.managerA), 'Quota de votre centre : 200 jetons par jour ; vous pouvez encore en générer 200 aujourd’hui.');

  // A manager asks again and again, as an extraction would.
  const asked: string[] = [];
  for (let i = 0; i < 6; i += 1) asked.push(await generate(ctx, ctx.managerA, 50));
  t.same(asked, ['generated', 'generated', 'generated', 'generated', 'refused', 'refused'], 'four tables of 50, then refused');
  t.same(await stored(ctx, ctx.centreA), { tokens: 200, batches: 4, issued: 200 }, 'never more than the quota');

  const refused = await ask(ctx, ctx.managerA, 50);
  t.equal(refused.statusCode, 400);
  t.equal(h1(refused.body), 'Initialiser une table de jetons', 'the form is shown again');
  t.same(field(refused.body, 'nombre'), {
    value: '50',
    invalid: true,
    error: `Le quota de votre centre est de 200 jetons par jour ; 200 ont déjà été générés aujourd’hui : vous ne pouvez plus en générer avant demain. ${CONTACT}`,
  });
  t.equal(field(refused.body, 'questionnaire').value, String(ctx.questionnaireId), 'the questionnaire chosen is kept');
  t.match(refused.body, '<a href="#nombre">', 'the summary links to the field');
  t.equal(await hint(ctx.managerA), 'Quota de votre centre : 200 jetons par jour, atteint aujourd’hui ; vous pourrez en générer de nouveau demain.');
  const audit = await ctx.db.selectFrom('audit_log').select('action').where('action', '=', 'jetons.generes').execute();
  t.equal(audit.length, 4, 'a refusal leaves no audit row of a generation');

  // The other centre has a day of its own.
  t.equal(await generate(ctx, ctx.managerB, 200), 'generated', 'centre B is not affected by centre A’s day');
});

t.test('a batch that exactly reaches the quota passes; one more token is refused with what is left', async (t) => {
  const ctx = await twoCentres(t);
  t.equal(await generate(ctx, ctx.managerA, 150), 'generated');
  t.equal(await hint(ctx.managerA), 'Quota de votre centre : 200 jetons par jour ; vous pouvez encore en générer 50 aujourd’hui.');

  const over = await ask(ctx, ctx.managerA, 51);
  t.equal(over.statusCode, 400);
  t.same(field(over.body, 'nombre'), {
    value: '51',
    invalid: true,
    error: `Le quota de votre centre est de 200 jetons par jour ; 150 ont déjà été générés aujourd’hui : vous pouvez en générer encore 50 au plus. ${CONTACT}`,
  });
  t.same(await stored(ctx, ctx.centreA), { tokens: 150, batches: 1, issued: 150 }, 'nothing was created');

  t.equal(await generate(ctx, ctx.managerA, 50), 'generated', '150 + 50 = 200: exactly the quota');
  t.same(await stored(ctx, ctx.centreA), { tokens: 200, batches: 2, issued: 200 });
  t.equal(await generate(ctx, ctx.managerA, 1), 'refused');
});

t.test('the quota comes back on the next Paris day, not at midnight UTC', async (t) => {
  const ctx = await twoCentres(t);
  const clock = ctx.testApp.clock;
  // Signed in again after each move of the clock: hours apart, the previous sign-in has expired.
  const at = async (instant: string) => {
    clock.set(instant);
    return signedInAgent(ctx.testApp, MANAGER_A);
  };
  t.equal(await generate(ctx, ctx.managerA, 200), 'generated', '29 November, 10:00 in Paris');

  let manager = await at('2026-11-29T22:59:59.000Z'); // 23:59:59 in Paris, still the 29th
  t.equal(await generate(ctx, manager, 1), 'refused', 'the same Paris day');

  manager = await at('2026-11-29T23:00:00.000Z'); // midnight in Paris: the 30th, while UTC still says the 29th
  t.equal(await hint(manager), 'Quota de votre centre : 200 jetons par jour ; vous pouvez encore en générer 200 aujourd’hui.');
  t.equal(await generate(ctx, manager, 200), 'generated', 'a new day, a whole quota');
  t.same(await stored(ctx, ctx.centreA), { tokens: 400, batches: 2, issued: 400 });
  t.equal(await generate(ctx, manager, 1), 'refused', 'and that day is full in turn');

  // A summer day starts at 22:00 UTC the evening before.
  manager = await at('2027-07-13T21:59:00.000Z');
  t.equal(await generate(ctx, manager, 200), 'generated', '13 July, 23:59 in Paris');
  manager = await at('2027-07-13T22:00:00.000Z');
  t.equal(await generate(ctx, manager, 200), 'generated', '14 July, 00:00 in Paris');
  t.equal(await generate(ctx, manager, 1), 'refused');
});

t.test('a centre’s own quota overrides the national default, below or above it', async (t) => {
  const ctx = await twoCentres(t);
  await ctx.db.updateTable('centres').set({ daily_token_quota: 20 }).where('id', '=', ctx.centreA).execute();
  await ctx.db.updateTable('centres').set({ daily_token_quota: 1000 }).where('id', '=', ctx.centreB).execute();

  t.equal(await hint(ctx.managerA), 'Quota de votre centre : 20 jetons par jour ; vous pouvez encore en générer 20 aujourd’hui.');
  const refused = await ask(ctx, ctx.managerA, 21);
  t.equal(refused.statusCode, 400);
  t.equal(
    field(refused.body, 'nombre').error,
    `Le quota de votre centre est de 20 jetons par jour ; aucun n’a encore été généré aujourd’hui : vous pouvez en générer 20 au plus. ${CONTACT}`,
  );
  t.equal(await generate(ctx, ctx.managerA, 20), 'generated');

  t.equal(await hint(ctx.managerB), 'Quota de votre centre : 1\u00a0000 jetons par jour ; vous pouvez encore en générer 1\u00a0000 aujourd’hui.');
  t.equal(await generate(ctx, ctx.managerB, 500), 'generated', 'above the national default of 200');
  t.equal(await generate(ctx, ctx.managerB, 500), 'generated');
  t.equal(await generate(ctx, ctx.managerB, 1), 'refused', 'but not above its own');

  // Back to the national default, which the administration lowered meanwhile.
  await ctx.db.updateTable('platform_settings').set({ daily_token_quota: 30 }).execute();
  await ctx.db.updateTable('centres').set({ daily_token_quota: null }).where('id', '=', ctx.centreA).execute();
  t.equal(await hint(ctx.managerA), 'Quota de votre centre : 30 jetons par jour ; vous pouvez encore en générer 10 aujourd’hui.');
  t.equal(await generate(ctx, ctx.managerA, 11), 'refused');
  t.equal(await generate(ctx, ctx.managerA, 10), 'generated');
});

t.test('the operator’s CLI is not limited, but its batches count in the centre’s day', async (t) => {
  const ctx = await twoCentres(t);
  for (let i = 0; i < 2; i += 1) {
    const cli = await generateTokens(ctx.db, ctx.testApp.clock, { centreId: 'centre0001', profile: 'operateur', count: 500, actorLabel: 'CLI' });
    t.ok(cli.ok, 'the operator generates past the quota');
  }
  const refused = await ask(ctx, ctx.managerA, 1);
  t.equal(refused.statusCode, 400);
  t.equal(
    field(refused.body, 'nombre').error,
    `Le quota de votre centre est de 200 jetons par jour ; 1\u00a0000 ont déjà été générés aujourd’hui : vous ne pouvez plus en générer avant demain. ${CONTACT}`,
  );
  t.same(await stored(ctx, ctx.centreA), { tokens: 1000, batches: 2, issued: 1000 });
});

t.test('generations at the same moment never pass the quota together', async (t) => {
  const ctx = await twoCentres(t);
  // Through the form: two tables of 150 against a quota of 200.
  await ctx.managerA.get('/centre/jetons/nouvelle-table');
  const form = { questionnaire: String(ctx.questionnaireId), nombre: '150', confirme: '1' };
  const both = await Promise.all([ctx.managerA.post('/centre/jetons/nouvelle-table', form), ctx.managerA.post('/centre/jetons/nouvelle-table', form)]);
  t.same(both.map(outcome).sort(), ['generated', 'refused'], 'one passes, the other is refused');
  t.same(await stored(ctx, ctx.centreA), { tokens: 150, batches: 1, issued: 150 });

  // Through the lifecycle: ten tables of 30 against centre B's quota of 200.
  const outcomes = await Promise.all(
    Array.from({ length: 10 }, () =>
      createTokenBatch(ctx.db, ctx.testApp.clock, {
        centreId: ctx.centreB,
        questionnaireId: ctx.questionnaireId,
        count: 30,
        createdBy: 'test',
        dailyQuota: 'enforced',
        actor: { accountId: null, label: 'test' },
      }),
    ),
  );
  t.equal(outcomes.filter((o) => o.ok).length, 6, '6 × 30 = 180 fit, a seventh would not');
  t.same(
    outcomes.filter((o) => !o.ok).map((o) => (o.ok ? null : o.reason)),
    ['quota', 'quota', 'quota', 'quota'],
    'the others are refused for the quota',
  );
  t.same(await stored(ctx, ctx.centreB), { tokens: 180, batches: 6, issued: 180 });
});
