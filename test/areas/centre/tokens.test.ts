import t from 'tap';
import { TOKEN_ALPHABET, formatTokenCode, generateTokenCode, isTokenCode } from '../../../src/domain/token-code.js';
import { createTokenBatch } from '../../../src/areas/centre/tokens/lifecycle.js';
import { tokenStockByQuestionnaire } from '../../../src/areas/centre/tokens/queries.js';
import { generateTokens } from '../../../src/operator/generate-tokens.js';
import { signedInAgent } from '../../helpers/agents.js';
import { MANAGER_A, publishDemoQuestionnaire, suspendCentre, twoCentres, type TwoCentres } from '../../helpers/exam-fixtures.js';
import { field, h1, visibleText } from '../../helpers/html.js';

const PRINTED = new RegExp(`^[${TOKEN_ALPHABET}]{4}-[${TOKEN_ALPHABET}]{4}-[${TOKEN_ALPHABET}]{4}$`);

async function tokensOf(ctx: TwoCentres, batchId: number) {
  return ctx.db.selectFrom('exam_tokens').selectAll().where('batch_id', '=', batchId).orderBy('id').execute();
}

/** Generates a batch through the manager's form; returns the batch id from the redirect. */
async function generateThroughForm(ctx: TwoCentres, count: number): Promise<number> {
  await ctx.managerA.get('/centre/jetons/nouvelle-table');
  const res = await ctx.managerA.post('/centre/jetons/nouvelle-table', { questionnaire: String(ctx.questionnaireId), nombre: String(count), confirme: '1' });
  if (res.statusCode !== 303) throw new Error(`generation failed: ${res.statusCode} ${visibleText(res.body).slice(0, 400)}`);
  const match = /^\/centre\/jetons\/lots\/(\d+)$/.exec(String(res.headers.location));
  if (!match) throw new Error(`unexpected redirect ${String(res.headers.location)}`);
  return Number(match[1]);
}

/** The counts shown on /centre/jetons for a questionnaire. */
function shownCounts(html: string, questionnaireId: number) {
  const row = new RegExp(`<tr data-questionnaire="${questionnaireId}">([\\s\\S]*?)</tr>`).exec(html)?.[1] ?? '';
  const count = (name: string) => Number(new RegExp(`data-count="${name}">(\\d+)`).exec(row)?.[1] ?? NaN);
  return { available: count('available'), used: count('used'), revoked: count('revoked') };
}

t.test('a manager initialises a table of tokens: count, format, uniqueness, audit', async (t) => {
  const ctx = await twoCentres(t);
  const form = await ctx.managerA.get('/centre/jetons/nouvelle-table');
  t.equal(form.statusCode, 200);
  t.equal(h1(form.body), 'Initialiser une table de jetons');
  t.match(form.body, /<option value="\d+">Opérateur 2026 — /, 'the published questionnaire is offered');

  const batchId = await generateThroughForm(ctx, 40);
  const tokens = await tokensOf(ctx, batchId);
  t.equal(tokens.length, 40, 'as many tokens as asked');
  t.ok(
    tokens.every((tk) => isTokenCode(tk.code)),
    'every code is canonical (12 symbols of the alphabet)',
  );
  t.equal(new Set(tokens.map((tk) => tk.code)).size, 40, 'codes are distinct');
  t.ok(tokens.every((tk) => tk.centre_id === ctx.centreA && tk.questionnaire_id === ctx.questionnaireId && tk.status === 'available'));
  const batch = await ctx.db.selectFrom('token_batches').selectAll().where('id', '=', batchId).executeTakeFirstOrThrow();
  t.same({ centre: batch.centre_id, size: batch.size, by: batch.created_by }, { centre: ctx.centreA, size: 40, by: MANAGER_A });

  const audit = await ctx.db.selectFrom('audit_log').selectAll().where('action', '=', 'jetons.generes').execute();
  t.equal(audit.length, 1, 'one audit row');
  t.equal(audit[0]?.actor_label, MANAGER_A);
  t.equal(audit[0]?.target_id, String(batchId));

  const page = await ctx.managerA.get(`/centre/jetons/lots/${batchId}`);
  t.equal(page.statusCode, 200);
  t.match(visibleText(page.body), '40 jetons ont été générés pour le questionnaire Opérateur 2026', 'the flash confirms');
  const printed = tokens.map((tk) => formatTokenCode(tk.code));
  t.ok(
    printed.every((p) => PRINTED.test(p)),
    'every code reads as XXXX-XXXX-XXXX',
  );
  t.same(
    printed.filter((p) => !page.body.includes(p)),
    [],
    'the batch page shows every code, formatted',
  );
  t.equal((page.body.match(/>Révoquer<span class="fr-sr-only"> le jeton /g) ?? []).length, 40, 'a revoke button per available token, named for screen readers');

  // Another batch, in the other centre: still unique across the platform.
  const other = await generateTokens(ctx.db, ctx.testApp.clock, { centreId: 'centre0002', profile: 'operateur', count: 60, actorLabel: 'CLI' });
  t.ok(other.ok);
  const all = await ctx.db.selectFrom('exam_tokens').select('code').execute();
  t.equal(new Set(all.map((r) => r.code)).size, 100, 'no code appears twice on the platform');
});

t.test('a code that already exists is drawn again, never duplicated', async (t) => {
  const ctx = await twoCentres(t);
  const first = await createTokenBatch(ctx.db, ctx.testApp.clock, {
    centreId: ctx.centreB,
    questionnaireId: ctx.questionnaireId,
    count: 2,
    createdBy: 'test',
    dailyQuota: 'enforced',
    actor: { accountId: null, label: 'test' },
  });
  if (!first.ok) throw new Error(first.message);
  const taken = first.codes[0]!;
  // A source that first replays a code of centre B, then repeats itself within the batch.
  const fresh = [generateTokenCode(), generateTokenCode()];
  const script = [taken, fresh[0]!, fresh[0]!, first.codes[1]!, fresh[1]!];
  const second = await createTokenBatch(ctx.db, ctx.testApp.clock, {
    centreId: ctx.centreA,
    questionnaireId: ctx.questionnaireId,
    count: 2,
    createdBy: 'test',
    dailyQuota: 'enforced',
    actor: { accountId: null, label: 'test' },
    newCode: () => script.shift()!,
  });
  if (!second.ok) throw new Error(second.message);
  t.same(second.codes, fresh, 'the colliding draws were replaced');
  t.equal(script.length, 0, 'every scripted draw was used');
  const owner = await ctx.db.selectFrom('exam_tokens').select('centre_id').where('code', '=', taken).execute();
  t.same(owner, [{ centre_id: ctx.centreB }], 'the existing token is untouched');
});

t.test('the form refuses a wrong count or questionnaire, at the right field, keeping what was typed', async (t) => {
  const ctx = await twoCentres(t);
  await ctx.managerA.get('/centre/jetons/nouvelle-table');
  const countMessage = 'Le nombre de jetons doit être un nombre entier entre 1 et 500.';
  for (const nombre of ['0', '501', '12.5', 'douze', '-3']) {
    const res = await ctx.managerA.post('/centre/jetons/nouvelle-table', { questionnaire: String(ctx.questionnaireId), nombre });
    t.equal(res.statusCode, 400, `count ${nombre}`);
    t.equal(field(res.body, 'nombre').error, countMessage);
    t.match(res.body, new RegExp(`id="nombre" name="nombre" value="${nombre.replace('.', '\\.')}"`), 'the count typed is kept');
    t.match(res.body, new RegExp(`<option value="${ctx.questionnaireId}" selected>`), 'the questionnaire chosen is kept');
  }
  const empty = await ctx.managerA.post('/centre/jetons/nouvelle-table', { questionnaire: '', nombre: '' });
  t.equal(empty.statusCode, 400);
  t.equal(field(empty.body, 'questionnaire').error, 'Choisissez le questionnaire pour lequel générer les jetons.');
  t.equal(field(empty.body, 'nombre').error, 'Indiquez le nombre de jetons à générer.');
  t.match(empty.body, '<a href="#questionnaire">', 'the summary links to the field');

  const draft = await ctx.db
    .insertInto('questionnaires')
    .values({ profile: 'operateur', version: 'brouillon', title: 'Brouillon', rules: '{}', status: 'draft', created_at: ctx.testApp.clock.now().toISOString() })
    .returning('id')
    .executeTakeFirstOrThrow();
  for (const id of [String(draft.id), '99999']) {
    const res = await ctx.managerA.post('/centre/jetons/nouvelle-table', { questionnaire: id, nombre: '5' });
    t.equal(res.statusCode, 400, `questionnaire ${id}`);
    t.equal(field(res.body, 'questionnaire').error, 'Choisissez un questionnaire publié : celui-ci n’existe pas ou n’est plus publié.');
  }
  const batches = await ctx.db.selectFrom('token_batches').select('id').execute();
  t.equal(batches.length, 0, 'nothing was generated');
});

t.test('revoking one token, then every unused token of a batch; used tokens are untouched', async (t) => {
  const ctx = await twoCentres(t);
  const batchId = await generateThroughForm(ctx, 6);
  const [t1, t2] = await tokensOf(ctx, batchId);
  await ctx.db.updateTable('exam_tokens').set({ status: 'used', used_at: ctx.testApp.clock.now().toISOString() }).where('id', '=', t2!.id).execute();

  const batchPage = await ctx.managerA.get(`/centre/jetons/lots/${batchId}`);
  t.match(batchPage.body, `href="/centre/jetons/lots/${batchId}/jetons/${t1!.id}/revoquer"`, 'revoking one token starts with a confirmation');
  const confirmOne = await ctx.managerA.get(`/centre/jetons/lots/${batchId}/jetons/${t1!.id}/revoquer`);
  t.equal(h1(confirmOne.body), `Révoquer le jeton ${formatTokenCode(t1!.code)} ?`, 'which names the token');
  t.equal((await tokensOf(ctx, batchId))[0]!.status, 'available', 'nothing is revoked before the confirmation');
  const one = await ctx.managerA.post(`/centre/jetons/lots/${batchId}/jetons/${t1!.id}/revoquer`, {});
  t.equal(one.statusCode, 303);
  t.equal(one.headers.location, `/centre/jetons/lots/${batchId}`);
  const after = await ctx.managerA.get(`/centre/jetons/lots/${batchId}`);
  t.match(visibleText(after.body), `Le jeton ${formatTokenCode(t1!.code)} est révoqué : il ne permet plus de commencer un examen.`);
  t.match(visibleText(after.body), `${formatTokenCode(t1!.code)} Révoqué le 29/11/2026 à 10 h 00`);

  const again = await ctx.managerA.post(`/centre/jetons/lots/${batchId}/jetons/${t1!.id}/revoquer`, {});
  t.equal(again.statusCode, 303);
  t.match(visibleText((await ctx.managerA.get(`/centre/jetons/lots/${batchId}`)).body), 'Ce jeton est déjà révoqué.');
  await ctx.managerA.post(`/centre/jetons/lots/${batchId}/jetons/${t2!.id}/revoquer`, {});
  t.match(visibleText((await ctx.managerA.get(`/centre/jetons/lots/${batchId}`)).body), 'Ce jeton a déjà servi à un examen : il ne peut plus être révoqué.');
  t.equal((await tokensOf(ctx, batchId)).find((tk) => tk.id === t2!.id)?.status, 'used', 'a used token stays used');

  const confirm = await ctx.managerA.get(`/centre/jetons/lots/${batchId}/revoquer`);
  t.equal(confirm.statusCode, 200);
  t.equal(h1(confirm.body), `Révoquer les jetons non utilisés de la table n° ${batchId} ?`);
  t.match(visibleText(confirm.body), '4 jetons disponibles ne permettront plus de commencer un examen.');
  const all = await ctx.managerA.post(`/centre/jetons/lots/${batchId}/revoquer`, {});
  t.equal(all.statusCode, 303);
  t.match(visibleText((await ctx.managerA.get(`/centre/jetons/lots/${batchId}`)).body), '4 jetons non utilisés ont été révoqués.');
  const final = await tokensOf(ctx, batchId);
  t.same(
    final.map((tk) => tk.status),
    ['revoked', 'used', 'revoked', 'revoked', 'revoked', 'revoked'],
  );
  t.equal(final[1]?.revoked_at, null, 'the used token has no revocation date');
  t.ok(final[2]?.revoked_at, 'revoked tokens have one');

  const actions = (await ctx.db.selectFrom('audit_log').select('action').orderBy('id').execute()).map((r) => r.action);
  t.same(
    actions.filter((a) => a.startsWith('jeton') || a.startsWith('lot_')),
    ['jetons.generes', 'jeton.revoque', 'lot_jetons.revoque'],
  );
});

t.test('/centre/jetons shows the counts per published questionnaire and warns when the stock runs low', async (t) => {
  const ctx = await twoCentres(t);
  const empty = await ctx.managerA.get('/centre/jetons');
  t.equal(empty.statusCode, 200);
  t.same(shownCounts(empty.body, ctx.questionnaireId), { available: 0, used: 0, revoked: 0 });
  t.notMatch(empty.body, 'Stock de jetons bas', 'a version the centre has no token of does not warn (nor does a newly published one)');

  const batchId = await generateThroughForm(ctx, 12);
  const tokens = await tokensOf(ctx, batchId);
  await ctx.db.updateTable('exam_tokens').set({ status: 'used' }).where('id', 'in', [tokens[0]!.id, tokens[1]!.id]).execute();
  await ctx.db.updateTable('exam_tokens').set({ status: 'revoked' }).where('id', '=', tokens[2]!.id).execute();
  // Centre B's tokens never count for centre A.
  await generateTokens(ctx.db, ctx.testApp.clock, { centreId: ctx.centreB, profile: 'operateur', count: 30, actorLabel: 'CLI' });

  const page = await ctx.managerA.get('/centre/jetons');
  t.same(shownCounts(page.body, ctx.questionnaireId), { available: 9, used: 2, revoked: 1 });
  t.match(
    visibleText(page.body),
    'Stock de jetons bas Moins de 10 jetons disponibles pour : Opérateur 2026 (QCM Opérateur — démonstration 2026) : 9 disponibles',
    '9 < 10: warned',
  );
  t.notMatch(visibleText(page.body), 'préférez', 'nothing newer to prefer');
  t.match(page.body, `<a href="/centre/jetons/lots/${batchId}">Table n° ${batchId}</a>`, 'the batch is listed');
  t.same(
    await tokenStockByQuestionnaire(ctx.db, ctx.centreB),
    [
      {
        id: ctx.questionnaireId,
        profile: 'operateur',
        profileLabel: 'Opérateur',
        version: '2026',
        title: 'QCM Opérateur — démonstration 2026',
        available: 30,
        used: 0,
        revoked: 0,
      },
    ],
    'the dashboard query for centre B',
  );

  await ctx.managerA.post('/centre/jetons/seuil', { seuil: '9' });
  const atNine = await ctx.managerA.get('/centre/jetons');
  t.match(visibleText(atNine.body), 'Le seuil d’alerte est fixé à 9 jetons disponibles.');
  t.notMatch(atNine.body, 'fr-alert--warning', '9 available, threshold 9: no warning');
  t.match(atNine.body, 'id="seuil" name="seuil" value="9"');
  const centre = await ctx.db.selectFrom('centres').select('low_stock_threshold').where('id', '=', ctx.centreA).executeTakeFirstOrThrow();
  t.equal(centre.low_stock_threshold, 9);
  const audit = await ctx.db.selectFrom('audit_log').selectAll().where('action', '=', 'centre.seuil_jetons_modifie').executeTakeFirstOrThrow();
  t.same(JSON.parse(audit.details!), { avant: 10, apres: 9 });

  for (const seuil of ['-1', '10001', 'dix', '', '2.5']) {
    const res = await ctx.managerA.post('/centre/jetons/seuil', { seuil });
    t.equal(res.statusCode, 400, `threshold ${JSON.stringify(seuil)}`);
    t.equal(
      field(res.body, 'seuil').error,
      seuil === '' ? 'Indiquez le seuil d’alerte.' : 'Le seuil d’alerte doit être un nombre entier entre 0 et 10\u00a0000.',
    );
    t.match(res.body, `id="seuil" name="seuil" value="${seuil}"`, 'the value typed is kept');
  }
  await ctx.managerA.post('/centre/jetons/seuil', { seuil: '10000' });
  t.equal(
    (await ctx.db.selectFrom('centres').select('low_stock_threshold').where('id', '=', ctx.centreA).executeTakeFirstOrThrow()).low_stock_threshold,
    10000,
  );
  await ctx.managerA.post('/centre/jetons/seuil', { seuil: '0' });
  const zero = await ctx.managerA.get('/centre/jetons');
  t.notMatch(zero.body, 'fr-alert--warning', 'threshold 0 never warns');
});

t.test('the stock lists every published questionnaire, a new one with zero tokens', async (t) => {
  const ctx = await twoCentres(t);
  const encadrant = await publishDemoQuestionnaire(ctx.db, ctx.testApp.clock, 'encadrant');
  const page = await ctx.managerA.get('/centre/jetons');
  t.same(shownCounts(page.body, encadrant), { available: 0, used: 0, revoked: 0 });
  t.same(shownCounts(page.body, ctx.questionnaireId), { available: 0, used: 0, revoked: 0 });
});

t.test('the print view holds every token of the batch, formatted, with the centre ID and the instructions', async (t) => {
  const ctx = await twoCentres(t);
  const batchId = await generateThroughForm(ctx, 25);
  const tokens = await tokensOf(ctx, batchId);
  const res = await ctx.managerA.get(`/centre/jetons/lots/${batchId}/impression`);
  t.equal(res.statusCode, 200);
  const slips = [...res.body.matchAll(/<strong class="app-slip__code">([^<]+)<\/strong>/g)].map((m) => m[1]);
  t.same(
    slips,
    tokens.map((tk) => formatTokenCode(tk.code)),
    'one slip per token, in order, formatted',
  );
  t.equal((res.body.match(/<strong class="app-slip__centre">centre0001<\/strong>/g) ?? []).length, 25, 'the centre ID on every slip');
  t.match(res.body, 'profil <strong>Opérateur</strong>, version 2026');
  const text = visibleText(res.body);
  t.match(text, 'Sur le poste d’examen de la salle, ouvrez la page http://localhost:3000/examen.');
  t.match(text, 'Saisissez l’identifiant du centre (centre0001) puis ce jeton.');
  t.match(text, 'Ce jeton ne sert qu’une fois, et seulement pendant la session d’examen.');
  t.match(text, 'Utilisez la commande Imprimer de votre navigateur (Ctrl+P');
  t.match(res.body, '<link rel="stylesheet" href="/static/css/print-tokens.css">');
  t.notMatch(res.body, /<script(?![^>]*\bsrc=)[^>]*>/, 'no inline script');
  t.notMatch(res.body, /\son[a-z]+=/i, 'no on* attribute');

  const css = await ctx.testApp.app.inject({ method: 'GET', url: '/static/css/print-tokens.css' });
  t.equal(css.statusCode, 200);
  t.match(css.body, /@page\s*{[^}]*size:\s*A4/);
  t.match(css.body, 'break-inside: avoid');
  t.match(css.body, 'dashed');
  t.equal((await ctx.testApp.app.inject({ method: 'GET', url: '/static/js/print.js' })).statusCode, 200);

  // A revoked token is not printed any more.
  const revoked = await ctx.managerA.post(`/centre/jetons/lots/${batchId}/jetons/${tokens[0]!.id}/revoquer`, {});
  t.equal(revoked.statusCode, 303, `revoked (${revoked.statusCode})`);
  const again = await ctx.managerA.get(`/centre/jetons/lots/${batchId}/impression`);
  t.notMatch(again.body, `app-slip__code">${formatTokenCode(tokens[0]!.code)}<`, 'not on a slip (the message above names it)');
  t.match(again.body, `app-slip__code">${formatTokenCode(tokens[1]!.code)}<`);
  t.match(visibleText(again.body), '1 jeton déjà utilisé ou révoqué ne figure pas sur cette page.');
});

t.test('a suspended centre cannot generate tokens, and is told why', async (t) => {
  const ctx = await twoCentres(t);
  const reason = 'Contrôle de conformité en cours';
  const message = `Ce centre est suspendu : aucun jeton ne peut être généré. Motif de la suspension : ${reason}.`;
  await ctx.managerA.get('/centre/jetons/nouvelle-table');
  await suspendCentre(ctx.db, ctx.centreA, reason);

  const stock = await ctx.managerA.get('/centre/jetons');
  t.match(
    visibleText(stock.body),
    `Ce centre est suspendu par l’administration nationale. Motif : ${reason}. Tant que la suspension dure, aucun jeton ne peut être généré`,
    'the token page says why',
  );
  t.notMatch(stock.body, 'href="/centre/jetons/nouvelle-table"', 'no button to generate');
  const form = await ctx.managerA.get('/centre/jetons/nouvelle-table');
  t.match(visibleText(form.body), message);
  t.notMatch(form.body, 'action="/centre/jetons/nouvelle-table"', 'no form');

  const res = await ctx.managerA.post('/centre/jetons/nouvelle-table', { questionnaire: String(ctx.questionnaireId), nombre: '10' });
  t.equal(res.statusCode, 403);
  t.match(visibleText(res.body), message);
  const cli = await generateTokens(ctx.db, ctx.testApp.clock, { centreId: 'centre0001', profile: 'operateur', count: 10, actorLabel: 'CLI' });
  t.same(cli, { ok: false, reason: 'centre_suspended', message });
  t.equal((await ctx.db.selectFrom('exam_tokens').select('id').execute()).length, 0, 'no token was created');
  t.equal((await ctx.db.selectFrom('token_batches').select('id').execute()).length, 0, 'no batch either');

  // Centre B is not affected.
  const b = await ctx.managerB.get('/centre/jetons/nouvelle-table');
  t.notMatch(visibleText(b.body), 'suspendu');
});

t.test('a manager’s pages carry no inline script and no on* attribute', async (t) => {
  const ctx = await twoCentres(t);
  const batchId = await generateThroughForm(ctx, 3);
  const agent = await signedInAgent(ctx.testApp, MANAGER_A);
  for (const url of ['/centre/jetons', '/centre/jetons/nouvelle-table', `/centre/jetons/lots/${batchId}`, `/centre/jetons/lots/${batchId}/revoquer`]) {
    const res = await agent.get(url);
    t.equal(res.statusCode, 200, url);
    t.notMatch(res.body, /<script(?![^>]*\bsrc=)[^>]*>/, `${url}: no inline script`);
    t.notMatch(res.body, /\son[a-z]+=/i, `${url}: no on* attribute`);
  }
});

t.test('a large count is confirmed first; a decimal count is refused, not read as another number; the CLI is named in words', async (t) => {
  const ctx = await twoCentres(t);
  const batches = async () => (await ctx.db.selectFrom('token_batches').select('size').where('centre_id', '=', ctx.centreA).execute()).map((b) => b.size);
  await ctx.managerA.get('/centre/jetons/nouvelle-table');
  const form = await ctx.managerA.get('/centre/jetons/nouvelle-table');
  t.match(form.body, /id="nombre"[^>]*type="text"|type="text"[^>]*id="nombre"/, 'a text field: the browser cannot turn « 12,5 » into 125');

  for (const typed of ['12,5', '12.5']) {
    const res = await ctx.managerA.post('/centre/jetons/nouvelle-table', { questionnaire: String(ctx.questionnaireId), nombre: typed });
    t.equal(res.statusCode, 400, `« ${typed} » is refused`);
    t.match(field(res.body, 'nombre').error ?? '', 'nombre entier');
    t.equal(field(res.body, 'nombre').value, typed, 'and kept as typed');
  }

  const recap = await ctx.managerA.post('/centre/jetons/nouvelle-table', { questionnaire: String(ctx.questionnaireId), nombre: '125' });
  t.equal(recap.statusCode, 200);
  t.equal(h1(recap.body), 'Générer 125 jetons ?', 'more than 100 tokens: the count is confirmed first');
  t.same(await batches(), [], 'nothing generated yet');
  t.match(recap.body, `href="/centre/jetons/nouvelle-table?questionnaire=${ctx.questionnaireId}&amp;nombre=125"`, 'the count can be corrected');
  const back = await ctx.managerA.get(`/centre/jetons/nouvelle-table?questionnaire=${ctx.questionnaireId}&nombre=125`);
  t.equal(field(back.body, 'nombre').value, '125', 'the form comes back with the count');
  const confirmed = await ctx.managerA.post('/centre/jetons/nouvelle-table', { questionnaire: String(ctx.questionnaireId), nombre: '125', confirme: '1' });
  t.equal(confirmed.statusCode, 303);
  t.same(await batches(), [125]);

  await ctx.managerB.get('/centre/jetons/nouvelle-table');
  const small = await ctx.managerB.post('/centre/jetons/nouvelle-table', { questionnaire: String(ctx.questionnaireId), nombre: '100' });
  t.equal(small.statusCode, 303, '100 tokens need no confirmation');

  await generateTokens(ctx.db, ctx.testApp.clock, { centreId: 'centre0001', profile: 'operateur', count: 5, actorLabel: 'CLI' });
  const list = visibleText((await ctx.managerA.get('/centre/jetons')).body);
  t.match(list, 'l’exploitation de la plateforme', 'a table made on the command line says who in words');
  t.notMatch(list, /\bCLI\b/);
});

t.test('publishing a new version warns only the centres whose version runs low, and names the newer one', async (t) => {
  const ctx = await twoCentres(t);
  // Centre A uses the 2026 version and runs low; centre B has plenty of it.
  await generateTokens(ctx.db, ctx.testApp.clock, { centreId: ctx.centreA, profile: 'operateur', count: 3, actorLabel: 'CLI' });
  await generateTokens(ctx.db, ctx.testApp.clock, { centreId: ctx.centreB, profile: 'operateur', count: 30, actorLabel: 'CLI' });
  await publishDemoQuestionnaire(ctx.db, ctx.testApp.clock, 'operateur', '2027');

  const a = visibleText((await ctx.managerA.get('/centre/jetons')).body);
  t.match(
    a,
    'Opérateur 2026 (QCM Opérateur — démonstration 2026) : 3 disponibles. Une version plus récente est publiée : préférez la version 2027 pour vos nouveaux jetons',
    'the version in use warns, and says which one to prefer',
  );
  t.notMatch(a, /Opérateur 2027 \([^)]*\) : 0 disponible/, 'the new version, with no token yet, is not listed as low');
  t.match(visibleText((await ctx.managerA.get('/centre')).body), 'Opérateur 2026 (3), préférez la version plus récente 2027.', 'the dashboard says the same');

  const b = (await ctx.managerB.get('/centre/jetons')).body;
  t.notMatch(b, 'Stock de jetons bas', 'centre B, with 30 tokens of its version, is not warned about the new one');

  // Once A generates tokens of the new version, that version is the one that can run low.
  await generateTokens(ctx.db, ctx.testApp.clock, { centreId: ctx.centreA, profile: 'operateur', count: 20, actorLabel: 'CLI' });
  t.notMatch((await ctx.managerA.get('/centre/jetons')).body, 'Stock de jetons bas', 'the 3 left of 2026 are left to be used up');
});
