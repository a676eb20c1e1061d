/**
 * The administrator's centre pages (issue 4, item 1): the `centreXXXX` IDs (sequential, never
 * reused, distinct under concurrent creation), the form and its French messages (SIRET checksum),
 * editing, the searchable list with each centre's activity, suspension and reactivation, the audit
 * log, and who may reach these pages.
 */
import type { LightMyRequestResponse } from 'fastify';
import { validSiret } from '../../helpers/siret.js';
import t from 'tap';
import { DEMO_ADMIN_EMAIL } from '../../../src/operator/seed-demo.js';
import { accountAgent, adminAgent, managerAgent } from '../../helpers/agents.js';
import { Agent, createTestApp, type TestApp } from '../../helpers/app.js';
import { field, flashes, h1, visibleText } from '../../helpers/html.js';

// ——— Helpers ———————————————————————————————————————————————————————————————————

/** The same SIRET with its key changed: 14 digits, wrong checksum. */
const wrongKey = (siret: string) => siret.slice(0, 13) + ((Number(siret[13]) + 1) % 10);

function centreForm(n: number, overrides: Partial<Record<'nom' | 'adresse' | 'siret' | 'email', string>> = {}) {
  return {
    nom: `Centre de formation numéro ${n}`,
    adresse: `${n} avenue des Réseaux, 69003 Lyon`,
    siret: validSiret(n),
    email: `contact${n}@centre.test`,
    ...overrides,
  };
}

/** The centre number from the redirect after a successful creation, or null. */
function createdId(res: LightMyRequestResponse): number | null {
  const m = /^\/admin\/centres\/(\d+)$/.exec(String(res.headers.location ?? ''));
  return m ? Number(m[1]) : null;
}

interface ListRow {
  code: string;
  name: string;
  status: string;
  exams: string;
  tokens: string;
}

function listRows(body: string): ListRow[] {
  const tbody = /<tbody>([\s\S]*?)<\/tbody>/.exec(body)?.[1] ?? '';
  return [...tbody.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((row) => {
    const cells = [...row[1]!.matchAll(/<td>([\s\S]*?)<\/td>/g)].map((c) => visibleText(c[1]!));
    return { code: cells[0] ?? '', name: cells[1] ?? '', status: cells[2] ?? '', exams: cells[3] ?? '', tokens: cells[4] ?? '' };
  });
}

const listCodes = (body: string) => listRows(body).map((r) => r.code);

async function auditRows(testApp: TestApp, action: string) {
  return testApp.db.kysely.selectFrom('audit_log').selectAll().where('action', '=', action).orderBy('id').execute();
}

const SIRET_CHECKSUM = 'Ce numéro SIRET n’est pas valide (clé de contrôle incorrecte).';
const SIRET_LENGTH = 'Le SIRET doit comporter 14 chiffres.';

// ——— Centre IDs ————————————————————————————————————————————————————————————————

t.test('centres recognised through the form get centre0002, centre0003… after the demo centre', async (t) => {
  const testApp = await createTestApp(t, { seed: true });
  const admin = await adminAgent(testApp);

  const newForm = await admin.get('/admin/centres/nouveau');
  t.equal(newForm.statusCode, 200);
  t.equal(h1(newForm.body), 'Reconnaître un centre d’examen');

  for (const n of [2, 3, 4]) {
    const form = centreForm(n);
    const res = await admin.post('/admin/centres', form);
    t.equal(res.statusCode, 303, `centre ${n}: redirected after creation`);
    t.equal(res.headers.location, `/admin/centres/${n}`, `centre ${n}: to its own page`);
    const page = await admin.get(String(res.headers.location));
    t.equal(page.statusCode, 200);
    t.same(
      flashes(page.body),
      [{ type: 'success', text: `Le centre « ${form.nom} » est reconnu sous l’identifiant centre000${n}.` }],
      `centre ${n}: the flash gives the new ID`,
    );
    t.equal(h1(page.body), `${form.nom} (centre000${n})`, `centre ${n}: the page is titled with the name and ID`);
    t.notMatch(page.body, 'Suspendu :', 'a new centre is active');
  }

  const list = await admin.get('/admin/centres');
  t.equal(list.statusCode, 200);
  t.same(listCodes(list.body), ['centre0001', 'centre0002', 'centre0003', 'centre0004'], 'the list shows every ID in order');
  t.same(
    listRows(list.body).map((r) => [r.name, r.status]),
    [
      ['Centre de démonstration AIPR', 'Actif'],
      ['Centre de formation numéro 2', 'Actif'],
      ['Centre de formation numéro 3', 'Actif'],
      ['Centre de formation numéro 4', 'Actif'],
    ],
  );
  t.match(list.body, '<caption>4 centres</caption>');

  const stored = await testApp.db.kysely.selectFrom('centres').selectAll().where('id', '=', 3).executeTakeFirstOrThrow();
  t.match(stored, {
    name: 'Centre de formation numéro 3',
    address: '3 avenue des Réseaux, 69003 Lyon',
    siret: validSiret(3),
    contact_email: 'contact3@centre.test',
    status: 'active',
    suspension_reason: null,
  });

  const audit = await auditRows(testApp, 'centre.reconnu');
  t.same(
    audit.map((a) => [a.target_type, a.target_id, a.actor_label]),
    [
      ['centre', 'centre0002', DEMO_ADMIN_EMAIL],
      ['centre', 'centre0003', DEMO_ADMIN_EMAIL],
      ['centre', 'centre0004', DEMO_ADMIN_EMAIL],
    ],
    'each recognition is in the audit log, with the admin as actor',
  );
  t.same(JSON.parse(audit[0]!.details!), { nom: 'Centre de formation numéro 2', siret: validSiret(2) });
});

t.test('an ID is never reused, even after the last centre row is deleted', async (t) => {
  const testApp = await createTestApp(t, { seed: true });
  const admin = await adminAgent(testApp);
  t.equal(createdId(await admin.post('/admin/centres', centreForm(2))), 2);
  t.equal(createdId(await admin.post('/admin/centres', centreForm(3))), 3);

  // The last centre goes (it never had a token or a manager).
  await testApp.db.kysely.deleteFrom('centres').where('id', '=', 3).execute();
  t.same(listCodes((await admin.get('/admin/centres')).body), ['centre0001', 'centre0002']);

  const res = await admin.post('/admin/centres', centreForm(4));
  t.equal(res.statusCode, 303);
  t.equal(createdId(res), 4, 'the next centre is centre0004, not the deleted centre0003');
  const page = await admin.get(String(res.headers.location));
  t.match(flashes(page.body)[0]?.text ?? '', 'centre0004');
  t.equal((await admin.get('/admin/centres/3')).statusCode, 404, 'the deleted centre stays gone');
  t.same(listCodes((await admin.get('/admin/centres')).body), ['centre0001', 'centre0002', 'centre0004']);
});

t.test('20 centres recognised at the same moment get 20 distinct IDs, without error', async (t) => {
  const testApp = await createTestApp(t, { seed: true });
  // Four administrators, each sending five forms at once.
  // One after the other: the first sets up the second factor, which ends any sign-in opened before it.
  const admins: Agent[] = [];
  for (let i = 0; i < 4; i += 1) admins.push(await adminAgent(testApp));
  const responses = await Promise.all(Array.from({ length: 20 }, (_, i) => admins[i % 4]!.post('/admin/centres', centreForm(100 + i))));
  t.same(
    responses.map((r) => r.statusCode),
    Array(20).fill(303),
    'every creation succeeds',
  );
  const ids = responses.map(createdId);
  t.equal(new Set(ids).size, 20, 'the 20 IDs are distinct');
  t.same(
    [...ids].sort((a, b) => a! - b!),
    Array.from({ length: 20 }, (_, i) => i + 2),
    'and they are centre0002 to centre0021, with no gap',
  );

  const rows = await testApp.db.kysely.selectFrom('centres').select(['id', 'name']).orderBy('id').execute();
  t.equal(rows.length, 21);
  // Each ID went to the form that asked for it.
  for (const [i, res] of responses.entries()) {
    t.equal(rows.find((r) => r.id === createdId(res))?.name, `Centre de formation numéro ${100 + i}`);
  }
  t.equal(new Set((await auditRows(testApp, 'centre.reconnu')).map((a) => a.target_id)).size, 20, '20 distinct audit entries');
  t.equal(listRows((await admins[0]!.get('/admin/centres')).body).length, 21, 'the list shows all of them');
});

// ——— Form validation ————————————————————————————————————————————————————————————

t.test('a SIRET with a wrong key is refused at its field, and the form keeps every typed value', async (t) => {
  const testApp = await createTestApp(t, { seed: true });
  const admin = await adminAgent(testApp);
  // The demo SIRET 732 829 320 00074 with its last digit changed.
  const typed = { nom: 'Centre « Les Pins » & Fils', adresse: '12 rue des "Tilleuls", 33000 Bordeaux', siret: '732 829 320 00075', email: 'accueil@pins.test' };
  const res = await admin.post('/admin/centres', typed);
  t.equal(res.statusCode, 400);
  t.equal(h1(res.body), 'Reconnaître un centre d’examen', 'the form is shown again');
  t.same(field(res.body, 'siret'), { value: typed.siret, invalid: true, error: SIRET_CHECKSUM }, 'the message is at the SIRET field');
  t.match(res.body, 'fr-input-group--error');
  for (const name of ['nom', 'adresse', 'email'] as const) {
    t.same(field(res.body, name), { value: typed[name], invalid: false, error: null }, `${name}: the typed value is kept, no error`);
  }
  t.equal((await testApp.db.kysely.selectFrom('centres').select('id').execute()).length, 1, 'nothing was created');
  t.equal((await auditRows(testApp, 'centre.reconnu')).length, 0);
});

t.test('a SIRET of 13 digits is refused with the length message', async (t) => {
  const testApp = await createTestApp(t, { seed: true });
  const admin = await adminAgent(testApp);
  const typed = centreForm(2, { siret: '7328293200007' });
  const res = await admin.post('/admin/centres', typed);
  t.equal(res.statusCode, 400);
  t.same(field(res.body, 'siret'), { value: '7328293200007', invalid: true, error: SIRET_LENGTH });
  t.equal(field(res.body, 'nom').value, typed.nom);
  t.equal(field(res.body, 'adresse').value, typed.adresse);
  t.equal(field(res.body, 'email').value, typed.email);

  const letters = await admin.post('/admin/centres', centreForm(2, { siret: '7328293200007A' }));
  t.equal(letters.statusCode, 400);
  t.equal(field(letters.body, 'siret').error, SIRET_LENGTH, 'a letter is not a digit');
  const empty = await admin.post('/admin/centres', centreForm(2, { siret: '' }));
  t.equal(empty.statusCode, 400);
  t.equal(field(empty.body, 'siret').error, 'Saisissez le numéro SIRET du centre (14 chiffres).');
  t.equal((await testApp.db.kysely.selectFrom('centres').select('id').execute()).length, 1, 'nothing was created');
});

t.test('a bad email and an empty name are refused at their fields', async (t) => {
  const testApp = await createTestApp(t, { seed: true });
  const admin = await adminAgent(testApp);

  const badEmail = await admin.post('/admin/centres', centreForm(2, { email: 'contact-at-centre.test' }));
  t.equal(badEmail.statusCode, 400);
  t.same(field(badEmail.body, 'email'), {
    value: 'contact-at-centre.test',
    invalid: true,
    error: 'Saisissez une adresse électronique valide, par exemple contact@centre.fr.',
  });
  t.same(field(badEmail.body, 'siret'), { value: validSiret(2), invalid: false, error: null }, 'the valid SIRET is kept, without error');

  const noName = await admin.post('/admin/centres', centreForm(2, { nom: '   ' }));
  t.equal(noName.statusCode, 400);
  t.same(field(noName.body, 'nom'), { value: '', invalid: true, error: 'Saisissez le nom du centre.' });
  t.equal(field(noName.body, 'adresse').value, centreForm(2).adresse);

  const allWrong = await admin.post('/admin/centres', { nom: '', adresse: '', siret: '123', email: 'x' });
  t.equal(allWrong.statusCode, 400);
  t.same(
    ['nom', 'adresse', 'siret', 'email'].map((n) => field(allWrong.body, n).invalid),
    [true, true, true, true],
    'every wrong field is marked at once',
  );
  t.equal((await testApp.db.kysely.selectFrom('centres').select('id').execute()).length, 1, 'nothing was created');
});

t.test('a valid SIRET typed with spaces is accepted and stored without them', async (t) => {
  const testApp = await createTestApp(t, { seed: true });
  const admin = await adminAgent(testApp);
  const siret = validSiret(7);
  const spaced = `${siret.slice(0, 3)} ${siret.slice(3, 6)} ${siret.slice(6, 9)}\u00a0${siret.slice(9)}`; // a no-break space too, as word processors write it
  const res = await admin.post('/admin/centres', centreForm(2, { siret: ` ${spaced} ` }));
  t.equal(res.statusCode, 303);
  t.equal(createdId(res), 2);
  const row = await testApp.db.kysely.selectFrom('centres').select('siret').where('id', '=', 2).executeTakeFirstOrThrow();
  t.equal(row.siret, siret, 'stored as 14 digits');
  const page = await admin.get('/admin/centres/2');
  t.equal(field(page.body, 'siret').value, siret, 'the edit form shows the compact SIRET');
});

// ——— Editing ———————————————————————————————————————————————————————————————————

t.test('an admin edits a centre; a wrong edit changes nothing', async (t) => {
  const testApp = await createTestApp(t, { seed: true });
  const admin = await adminAgent(testApp);
  t.equal(createdId(await admin.post('/admin/centres', centreForm(2))), 2);

  const page = await admin.get('/admin/centres/2');
  t.equal(page.statusCode, 200);
  t.equal(field(page.body, 'nom').value, 'Centre de formation numéro 2', 'the edit form is filled in');
  t.equal(field(page.body, 'email').value, 'contact2@centre.test');

  const edited = { nom: 'Centre AIPR Rhône', adresse: '5 quai Perrache, 69002 Lyon', siret: validSiret(9), email: 'aipr@rhone.test' };
  const res = await admin.post('/admin/centres/2', edited);
  t.equal(res.statusCode, 303);
  t.equal(res.headers.location, '/admin/centres/2');
  const after = await admin.get('/admin/centres/2');
  t.same(flashes(after.body), [{ type: 'success', text: 'Les informations du centre sont enregistrées.' }]);
  t.equal(h1(after.body), 'Centre AIPR Rhône (centre0002)');
  for (const name of ['nom', 'adresse', 'siret', 'email'] as const) t.equal(field(after.body, name).value, edited[name]);
  const row = await testApp.db.kysely.selectFrom('centres').selectAll().where('id', '=', 2).executeTakeFirstOrThrow();
  t.match(row, { name: edited.nom, address: edited.adresse, siret: edited.siret, contact_email: edited.email });
  t.equal(listRows((await admin.get('/admin/centres')).body)[1]?.name, 'Centre AIPR Rhône', 'the list shows the new name');

  const audit = await auditRows(testApp, 'centre.modifie');
  t.equal(audit.length, 1);
  t.equal(audit[0]!.target_id, 'centre0002');
  const details = JSON.parse(audit[0]!.details!) as { avant: Record<string, string>; apres: Record<string, string> };
  t.equal(details.avant.nom, 'Centre de formation numéro 2', 'the audit keeps the old values');
  t.equal(details.apres.name, 'Centre AIPR Rhône', 'and the new ones');

  const wrong = await admin.post('/admin/centres/2', { ...edited, nom: 'Nom jamais enregistré', siret: wrongKey(validSiret(9)) });
  t.equal(wrong.statusCode, 400);
  t.same(field(wrong.body, 'siret'), { value: wrongKey(validSiret(9)), invalid: true, error: SIRET_CHECKSUM });
  t.equal(field(wrong.body, 'nom').value, 'Nom jamais enregistré', 'the typed name is kept in the form');
  t.equal(
    (await testApp.db.kysely.selectFrom('centres').select('name').where('id', '=', 2).executeTakeFirstOrThrow()).name,
    'Centre AIPR Rhône',
    'nothing changed',
  );
  t.equal((await auditRows(testApp, 'centre.modifie')).length, 1, 'no audit entry for a refused edit');

  t.equal((await admin.get('/admin/centres/999')).statusCode, 404, 'an unknown centre is a 404');
  t.equal((await admin.get('/admin/centres/abc')).statusCode, 404);
  t.equal((await admin.post('/admin/centres/999', edited)).statusCode, 404);
});

// ——— The list: search and activity ————————————————————————————————————————————————

async function threeCentres(testApp: TestApp): Promise<Agent> {
  const admin = await adminAgent(testApp);
  await admin.post('/admin/centres', centreForm(2, { nom: 'Formation Réseaux Bretagne', adresse: '2 rue de Brest, 35000 Rennes', siret: validSiret(22) }));
  await admin.post('/admin/centres', centreForm(3, { nom: 'Institut Canalisations Sud', adresse: '3 cours Mirabeau, 13100 Aix', siret: validSiret(33) }));
  return admin;
}

t.test('the list is searched by name, by centreXXXX and by SIRET', async (t) => {
  const testApp = await createTestApp(t, { seed: true });
  const admin = await threeCentres(testApp);
  const search = async (q: string) => {
    const res = await admin.get(`/admin/centres?q=${encodeURIComponent(q)}`);
    t.equal(res.statusCode, 200);
    return res;
  };

  t.same(listCodes((await search('Bretagne')).body), ['centre0002'], 'by a word of the name');
  t.same(listCodes((await search('canalisations')).body), ['centre0003'], 'whatever the case');
  t.same(listCodes((await search('centre0002')).body), ['centre0002'], 'by the centre ID');
  t.same(listCodes((await search('  CENTRE0003 ')).body), ['centre0003'], 'by the ID typed in capitals with spaces');
  t.same(listCodes((await search(validSiret(33))).body), ['centre0003'], 'by the SIRET');
  t.same(listCodes((await search(validSiret(22).slice(0, 9))).body), ['centre0002'], 'by the SIREN (start of the SIRET)');
  t.same(listCodes((await search('')).body), ['centre0001', 'centre0002', 'centre0003'], 'an empty search lists everything');

  const none = await search('Marseille-Nord');
  t.same(listRows(none.body), []);
  t.match(none.body, 'Aucun centre ne correspond à cette recherche.');
  t.equal(/<input[^>]*id="q"[^>]*value="([^"]*)"/.exec(none.body)?.[1], 'Marseille-Nord', 'the search box keeps the text');
});

t.test('the search takes % and _ literally, as typed', async (t) => {
  const testApp = await createTestApp(t, { seed: true });
  const admin = await adminAgent(testApp);
  await admin.post('/admin/centres', centreForm(2, { nom: 'Réseaux 100% sécurité' }));
  await admin.post('/admin/centres', centreForm(3, { nom: 'Centre_Sud' }));
  const codes = async (q: string) => listCodes((await admin.get(`/admin/centres?q=${encodeURIComponent(q)}`)).body);
  t.same(await codes('100%'), ['centre0002'], 'a name containing “100%” is found by “100%”');
  t.same(await codes('%'), ['centre0002'], '“%” finds only the name that contains it');
  t.same(await codes('Centre_'), ['centre0003'], '“_” is not a one-character wildcard');
  t.same(await codes('_'), ['centre0003']);
});

t.test('the list is searched by a SIRET written with spaces, as it is usually written', async (t) => {
  const testApp = await createTestApp(t, { seed: true });
  const admin = await threeCentres(testApp);
  const siret = validSiret(33);
  const spaced = `${siret.slice(0, 3)} ${siret.slice(3, 6)} ${siret.slice(6, 9)} ${siret.slice(9)}`;
  const res = await admin.get(`/admin/centres?q=${encodeURIComponent(spaced)}`);
  t.equal(res.statusCode, 200);
  t.same(listCodes(res.body), ['centre0003'], 'the form accepts this spelling, so should the search');
});

interface TokenSpec {
  centre: number;
  status: 'available' | 'used' | 'revoked';
  usedAt?: string;
}

/** The demo's published operator questionnaire. */
async function publishedQuestionnaire(testApp: TestApp): Promise<number> {
  const row = await testApp.db.kysely
    .selectFrom('questionnaires')
    .select('id')
    .where('profile', '=', 'operateur')
    .where('status', '=', 'published')
    .executeTakeFirstOrThrow();
  return row.id;
}

async function insertTokens(testApp: TestApp, specs: TokenSpec[]): Promise<void> {
  const db = testApp.db.kysely;
  const questionnaireId = await publishedQuestionnaire(testApp);
  const batches = new Map<number, number>();
  for (const [i, spec] of specs.entries()) {
    let batch = batches.get(spec.centre);
    if (batch === undefined) {
      const row = await db
        .insertInto('token_batches')
        .values({ centre_id: spec.centre, questionnaire_id: questionnaireId, size: 0, created_at: testApp.clock.now().toISOString(), created_by: 'test' })
        .returning('id')
        .executeTakeFirstOrThrow();
      batch = row.id;
      batches.set(spec.centre, batch);
    }
    await db
      .insertInto('exam_tokens')
      .values({
        code: `TESTCODE${String(i).padStart(4, '0')}`,
        batch_id: batch,
        centre_id: spec.centre,
        questionnaire_id: questionnaireId,
        status: spec.status,
        used_at: spec.status === 'used' ? (spec.usedAt ?? testApp.clock.now().toISOString()) : null,
        revoked_at: spec.status === 'revoked' ? testApp.clock.now().toISOString() : null,
      })
      .execute();
  }
}

t.test('each row of the list shows the exams of this year and the tokens available', async (t) => {
  const testApp = await createTestApp(t, { seed: true }); // the clock reads 29 November 2026
  const admin = await threeCentres(testApp);
  // What the demo data already gave centre0001 (seed-demo may add tokens of its own).
  const demo = await testApp.db.kysely.selectFrom('exam_tokens').select(['status', 'used_at']).where('centre_id', '=', 1).execute();
  const demoAvailable = demo.filter((d) => d.status === 'available').length;
  const demoExams = demo.filter((d) => d.status === 'used' && d.used_at! >= '2025-12-31T23:00:00.000Z').length;
  await insertTokens(testApp, [
    { centre: 2, status: 'available' },
    { centre: 2, status: 'available' },
    { centre: 2, status: 'available' },
    { centre: 2, status: 'used', usedAt: '2026-03-10T08:00:00.000Z' },
    { centre: 2, status: 'used', usedAt: '2026-11-28T14:00:00.000Z' },
    { centre: 2, status: 'used', usedAt: '2025-06-01T08:00:00.000Z' }, // last year: not counted
    { centre: 2, status: 'revoked' }, // neither available nor an exam
    { centre: 1, status: 'available' },
    { centre: 1, status: 'used', usedAt: '2026-02-02T09:00:00.000Z' },
  ]);
  const rows = listRows((await admin.get('/admin/centres')).body);
  t.same(
    rows.map((r) => [r.code, r.exams, r.tokens]),
    [
      ['centre0001', String(demoExams + 1), String(demoAvailable + 1)],
      ['centre0002', '2', '3'],
      ['centre0003', '0', '0'],
    ],
  );
  t.match((await admin.get('/admin/centres')).body, '<th scope="col">Examens cette année</th><th scope="col">Jetons disponibles</th>');
  t.same(
    listRows((await admin.get('/admin/centres?q=centre0002')).body).map((r) => [r.code, r.exams, r.tokens]),
    [['centre0002', '2', '3']],
    'a search keeps the activity columns',
  );
});

t.test('"this year" is the year in Paris: an exam at 00:30 on 1 January (Paris) counts', async (t) => {
  const testApp = await createTestApp(t, { seed: true }); // the clock reads 29 November 2026
  const admin = await threeCentres(testApp);
  await insertTokens(testApp, [
    { centre: 2, status: 'used', usedAt: '2025-12-31T22:30:00.000Z' }, // 23:30 on 31 Dec 2025 in Paris: last year
    { centre: 2, status: 'used', usedAt: '2025-12-31T23:30:00.000Z' }, // 00:30 on 1 Jan 2026 in Paris: this year
  ]);
  const row = listRows((await admin.get('/admin/centres')).body).find((r) => r.code === 'centre0002');
  t.equal(row?.exams, '1');
});

// ——— Suspension ————————————————————————————————————————————————————————————————

t.test('suspending needs a reason; the reason is shown to the admin and to the manager; reactivation removes it', async (t) => {
  const testApp = await createTestApp(t, { seed: true });
  const admin = await adminAgent(testApp);
  const manager = await managerAgent(testApp);
  const REASON = 'Contrôle de la DREAL en cours : dossier de reconnaissance incomplet';

  const page = await admin.get('/admin/centres/1');
  t.match(page.body, 'action="/admin/centres/1/suspendre"', 'an active centre offers suspension');

  // Without a reason (nothing, then only spaces).
  for (const motif of [undefined, '   ']) {
    const res = await admin.post('/admin/centres/1/suspendre', motif === undefined ? {} : { motif });
    t.equal(res.statusCode, 303);
    t.equal(res.headers.location, '/admin/centres/1#suspension');
    const back = await admin.get('/admin/centres/1');
    t.same(flashes(back.body), [{ type: 'error', text: 'Indiquez le motif de la suspension : il est affiché aux gestionnaires du centre.' }]);
    t.notMatch(back.body, 'Suspendu :');
  }
  t.equal((await testApp.db.kysely.selectFrom('centres').select('status').where('id', '=', 1).executeTakeFirstOrThrow()).status, 'active', 'still active');
  t.equal((await auditRows(testApp, 'centre.suspendu')).length, 0);
  t.notMatch((await manager.get('/centre')).body, 'centre est suspendu');

  // With a reason: first a confirmation page that says what stops and what carries on.
  const confirmation = await admin.post('/admin/centres/1/suspendre', { motif: `  ${REASON}  ` });
  t.equal(confirmation.statusCode, 200);
  t.equal(h1(confirmation.body), 'Suspendre le centre Centre de démonstration AIPR (centre0001) ?');
  t.match(visibleText(confirmation.body), `Motif, affiché à ses gestionnaires sur chaque page : ${REASON}`);
  t.match(visibleText(confirmation.body), 'aucun examen ne peut commencer, ni reprendre après le redémarrage d’un poste', 'what stops');
  const running = await testApp.db.kysely.selectFrom('exams').select('id').where('finished_at', 'is', null).execute();
  t.match(visibleText(confirmation.body), running.length === 0 ? 'aucun examen n’est en cours' : /se poursui(t|vent) jusqu’à (sa|leur) fin/, 'what carries on');
  t.match(confirmation.body, 'name="confirme" value="1"', 'the confirmation carries the reason and the choice');
  t.equal(
    (await testApp.db.kysely.selectFrom('centres').select('status').where('id', '=', 1).executeTakeFirstOrThrow()).status,
    'active',
    'nothing changes before the confirmation',
  );
  const res = await admin.post('/admin/centres/1/suspendre', { motif: REASON, confirme: '1' });
  t.equal(res.statusCode, 303);
  t.equal(res.headers.location, '/admin/centres/1');
  const suspended = await admin.get('/admin/centres/1');
  t.same(flashes(suspended.body), [
    {
      type: 'success',
      text: 'Le centre est suspendu : ses gestionnaires ne peuvent plus générer de jetons ni créer ou ouvrir de session, et aucun examen ne peut commencer ; les examens déjà commencés se poursuivent jusqu’à leur fin.',
    },
  ]);
  t.match(
    visibleText(suspended.body),
    `Suspendu : ${REASON}. Suspension décidée le 29/11/2026 à 10 h 00 par ${DEMO_ADMIN_EMAIL}.`,
    'the admin sees the reason, who suspended and when',
  );
  t.match(suspended.body, 'fr-badge--error');
  t.match(suspended.body, 'action="/admin/centres/1/reactiver"', 'a suspended centre offers reactivation');
  t.notMatch(suspended.body, 'action="/admin/centres/1/suspendre"');
  t.equal(listRows((await admin.get('/admin/centres')).body)[0]?.status, 'Suspendu', 'the list shows the status');
  const row = await testApp.db.kysely.selectFrom('centres').selectAll().where('id', '=', 1).executeTakeFirstOrThrow();
  t.match(row, { status: 'suspended', suspension_reason: REASON });

  const dashboard = await manager.get('/centre');
  t.equal(dashboard.statusCode, 200);
  const alert = /<div class="fr-alert fr-alert--error[^"]*">([\s\S]*?)<\/div>/.exec(dashboard.body)?.[1] ?? '';
  t.match(visibleText(alert), 'Ce centre est suspendu par l’administration nationale', 'the manager is told the centre is suspended');
  t.match(visibleText(alert), `Motif : ${REASON}`, 'and why');

  const suspendedAudit = await auditRows(testApp, 'centre.suspendu');
  t.equal(suspendedAudit.length, 1);
  t.equal(suspendedAudit[0]!.target_id, 'centre0001');
  t.equal(suspendedAudit[0]!.actor_label, DEMO_ADMIN_EMAIL);
  t.same(JSON.parse(suspendedAudit[0]!.details!), { motif: REASON });

  // Reactivation.
  const again = await admin.post('/admin/centres/1/reactiver', {});
  t.equal(again.statusCode, 303);
  const active = await admin.get('/admin/centres/1');
  t.same(flashes(active.body), [{ type: 'success', text: 'Le centre est de nouveau actif.' }]);
  t.notMatch(active.body, 'Suspendu :');
  t.notMatch(active.body, REASON);
  t.match(active.body, 'action="/admin/centres/1/suspendre"');
  const reactivated = await testApp.db.kysely.selectFrom('centres').selectAll().where('id', '=', 1).executeTakeFirstOrThrow();
  t.match(reactivated, { status: 'active', suspension_reason: null });
  const dashboardAfter = await manager.get('/centre');
  t.notMatch(dashboardAfter.body, 'centre est suspendu', 'the manager no longer sees the suspension');
  t.notMatch(dashboardAfter.body, REASON);
  const reactivatedAudit = await auditRows(testApp, 'centre.reactive');
  t.same(
    reactivatedAudit.map((a) => [a.target_id, a.actor_label]),
    [['centre0001', DEMO_ADMIN_EMAIL]],
  );
});

t.test('every centre action leaves its audit entry: reconnu, modifie, suspendu, reactive', async (t) => {
  const testApp = await createTestApp(t, { seed: true });
  const admin = await adminAgent(testApp);
  await admin.post('/admin/centres', centreForm(2));
  await admin.post('/admin/centres/2', centreForm(2, { nom: 'Nouveau nom' }));
  await admin.post('/admin/centres/2/suspendre', { motif: 'Impayés', confirme: '1' });
  await admin.post('/admin/centres/2/reactiver', {});
  const rows = await testApp.db.kysely
    .selectFrom('audit_log')
    .select(['action', 'target_type', 'target_id', 'actor_label', 'ip'])
    .where('action', 'like', 'centre.%')
    .orderBy('id')
    .execute();
  t.same(
    rows.map((r) => r.action),
    ['centre.reconnu', 'centre.modifie', 'centre.suspendu', 'centre.reactive'],
  );
  for (const r of rows) t.match(r, { target_type: 'centre', target_id: 'centre0002', actor_label: DEMO_ADMIN_EMAIL, ip: '127.0.0.1' });
});

// ——— Who may reach these pages —————————————————————————————————————————————————

t.test('a manager gets 403 on every centre admin page and form, and nothing changes', async (t) => {
  const testApp = await createTestApp(t, { seed: true });
  const manager = await managerAgent(testApp);
  for (const path of ['/admin/centres', '/admin/centres/nouveau', '/admin/centres/1', '/admin/centres?q=centre0001']) {
    const res = await manager.get(path);
    t.equal(res.statusCode, 403, `GET ${path}: 403`);
    t.match(res.body, 'Accès refusé');
    t.notMatch(res.body, 'contact@demo.test', `GET ${path}: nothing of the centre leaks`);
  }
  const posts: [string, Record<string, string>][] = [
    ['/admin/centres', centreForm(2)],
    ['/admin/centres/1', centreForm(2, { nom: 'Piraté' })],
    ['/admin/centres/1/suspendre', { motif: 'Piraté', confirme: '1' }],
    ['/admin/centres/1/reactiver', {}],
  ];
  for (const [path, body] of posts) {
    const res = await manager.post(path, body);
    t.equal(res.statusCode, 403, `POST ${path}: 403`);
  }
  const centres = await testApp.db.kysely.selectFrom('centres').selectAll().execute();
  t.equal(centres.length, 1, 'no centre was created');
  t.match(centres[0], { name: 'Centre de démonstration AIPR', status: 'active', suspension_reason: null }, 'the centre is untouched');
  t.equal((await testApp.db.kysely.selectFrom('audit_log').select('id').where('action', 'like', 'centre.%').execute()).length, 0);
});

t.test('an anonymous visitor is sent to sign in from the centre admin pages and forms', async (t) => {
  const testApp = await createTestApp(t, { seed: true });
  const visitor = new Agent(testApp.app);
  for (const path of ['/admin/centres', '/admin/centres/nouveau', '/admin/centres/1']) {
    const res = await visitor.get(path);
    t.equal(res.statusCode, 302, `GET ${path}: redirected`);
    t.equal(res.headers.location, `/connexion?suivant=${encodeURIComponent(path)}`);
  }
  await visitor.get('/connexion'); // a real form carries a CSRF token
  for (const path of ['/admin/centres', '/admin/centres/1', '/admin/centres/1/suspendre', '/admin/centres/1/reactiver']) {
    const res = await visitor.post(path, { ...centreForm(2), motif: 'x' });
    t.equal(res.statusCode, 303, `POST ${path}: redirected`);
    t.match(String(res.headers.location), /^\/connexion\?/, `POST ${path}: to the sign-in page`);
  }
  t.equal((await testApp.db.kysely.selectFrom('centres').select('id').execute()).length, 1);
  t.equal((await testApp.db.kysely.selectFrom('centres').select('status').executeTakeFirstOrThrow()).status, 'active');
});

t.test('an admin without the demo data still gets centre0001 first', async (t) => {
  const testApp = await createTestApp(t);
  const admin = await accountAgent(testApp, { email: 'admin@aipr.test', role: 'admin' });
  t.match((await admin.get('/admin/centres')).body, 'Aucun centre reconnu pour le moment.');
  const res = await admin.post('/admin/centres', centreForm(1));
  t.equal(res.headers.location, '/admin/centres/1');
  t.match(flashes((await admin.get('/admin/centres/1')).body)[0]?.text ?? '', 'centre0001');
});
