/**
 * A SIRET already known (issue 16, major item 4): recognising a centre, or editing one, with the
 * SIRET of another centre is refused at the field, naming that centre, unless the administrator
 * ticks « Autre site de la même entreprise » and says why; the journal then names the other
 * centres and keeps the reason. Two forms sent at once with the same new SIRET cannot both pass.
 */
import type { LightMyRequestResponse } from 'fastify';
import { validSiret } from '../../helpers/siret.js';
import t from 'tap';
import { recogniseCentre } from '../../../src/areas/admin/centres/lifecycle.js';
import { adminAgent } from '../../helpers/agents.js';
import { createTestApp, type Agent, type TestApp } from '../../helpers/app.js';
import { field, flashes, h1, visibleText } from '../../helpers/html.js';

// ——— Helpers ———————————————————————————————————————————————————————————————————

/** The demo centre's SIRET (centre0001, seeded by createTestApp({ seed: true })). */
const DEMO_SIRET = '73282932000074';
const DEMO_NAME = 'Centre de démonstration AIPR';
const BOX = 'Autre site de la même entreprise';
const DEMO_TAKEN =
  'Ce SIRET est déjà celui du centre centre0001 — Centre de démonstration AIPR. ' +
  'S’il s’agit d’un autre site de la même entreprise, cochez « Autre site de la même entreprise » et indiquez pourquoi.';
const REASON_MISSING = 'Indiquez pourquoi ce centre a le même SIRET qu’un centre déjà reconnu, ou décochez la case.';

/** This file's SIRETs start with 5: never the demo centre's. */
const validSiret5 = (n: number) => validSiret(n, '5');

type Typed = Record<'nom' | 'adresse' | 'siret' | 'email', string> & { siret_partage?: string; siret_motif?: string };

function centreForm(n: number, overrides: Partial<Typed> = {}): Typed {
  return {
    nom: `Centre de formation numéro ${n}`,
    adresse: `${n} avenue des Réseaux, 69003 Lyon`,
    siret: validSiret5(n),
    email: `contact${n}@centre.test`,
    ...overrides,
  };
}

function createdId(res: LightMyRequestResponse): number | null {
  const m = /^\/admin\/centres\/(\d+)$/.exec(String(res.headers.location ?? ''));
  return m ? Number(m[1]) : null;
}

async function centreCount(testApp: TestApp): Promise<number> {
  return (await testApp.db.kysely.selectFrom('centres').select('id').execute()).length;
}

async function auditRows(testApp: TestApp, action: string) {
  return testApp.db.kysely.selectFrom('audit_log').selectAll().where('action', '=', action).orderBy('id').execute();
}

/** The box « Autre site de la même entreprise » as rendered: whether it is offered, and ticked. */
function box(body: string): { offered: boolean; checked: boolean } {
  const tag = /<input type="checkbox" id="siret_partage"[^>]*>/.exec(body)?.[0];
  return { offered: !!tag, checked: !!tag && /\schecked(?=[\s>])/.test(tag) };
}

/** The visible text of a field's label (its hint included). */
function label(body: string, id: string): string | null {
  const inner = new RegExp(`<label[^>]*for="${id}"[^>]*>([\\s\\S]*?)</label>`).exec(body)?.[1];
  return inner === undefined ? null : visibleText(inner);
}

// ——— Recognising a centre ——————————————————————————————————————————————————————

t.test('a SIRET already known is refused at its field, naming the centre; nothing is created and the form keeps what was typed', async (t) => {
  const testApp = await createTestApp(t, { seed: true });
  const admin = await adminAgent(testApp);
  const blank = await admin.get('/admin/centres/nouveau');
  t.same(box(blank.body), { offered: false, checked: false }, 'the box is not offered before a SIRET is found on another centre');
  t.equal(field(blank.body, 'siret_motif').value, null, 'nor the reason');

  const typed = centreForm(2, { nom: 'Centre « Les Pins » & Fils', siret: DEMO_SIRET });
  const res = await admin.post('/admin/centres', typed);
  t.equal(res.statusCode, 400, 'refused like any other wrong field');
  t.equal(h1(res.body), 'Reconnaître un centre d’examen', 'the form is shown again');
  t.same(
    field(res.body, 'siret'),
    { value: DEMO_SIRET, invalid: true, error: DEMO_TAKEN },
    'the message is at the SIRET field, tied to it, and names centre0001',
  );
  for (const name of ['nom', 'adresse', 'email'] as const) {
    t.same(field(res.body, name), { value: typed[name], invalid: false, error: null }, `${name}: the typed value is kept, without error`);
  }
  t.same(box(res.body), { offered: true, checked: false }, 'the box is now offered, not ticked');
  t.equal(label(res.body, 'siret_partage'), `${BOX} Le centre aura le SIRET d’un centre déjà reconnu ; le motif est inscrit au journal d’audit.`);
  t.same(field(res.body, 'siret_motif'), { value: '', invalid: false, error: null }, 'with its reason, empty');
  t.equal(
    label(res.body, 'siret_motif'),
    'Motif (facultatif) Obligatoire si la case est cochée : pourquoi ce centre partage le SIRET d’un autre, 500 caractères au plus.',
    'the reason says « (facultatif) », and when it is required',
  );
  t.match(
    res.body,
    /<form method="post" action="\/admin\/centres" novalidate>\s*<p class="fr-hint-text">Sauf mention contraire, tous les champs sont obligatoires\.<\/p>/,
  );

  t.equal(await centreCount(testApp), 1, 'nothing was created');
  t.equal((await auditRows(testApp, 'centre.reconnu')).length, 0, 'nothing was journalled');
});

t.test('the same SIRET typed with spaces (no-break ones too) is still found', async (t) => {
  const testApp = await createTestApp(t, { seed: true });
  const admin = await adminAgent(testApp);
  for (const spaced of ['732 829 320 00074', ' 732\u00a0829\u00a0320\u00a000074 ', '73282 93200 0074']) {
    const res = await admin.post('/admin/centres', centreForm(2, { siret: spaced }));
    t.equal(res.statusCode, 400, `« ${spaced} »: refused`);
    t.same(
      field(res.body, 'siret'),
      { value: spaced.trim(), invalid: true, error: DEMO_TAKEN },
      `« ${spaced} »: the message names centre0001, the typed SIRET is kept`,
    );
  }
  t.equal(await centreCount(testApp), 1, 'nothing was created');
});

t.test('a SIRET already known is told at once with the other wrong fields', async (t) => {
  const testApp = await createTestApp(t, { seed: true });
  const admin = await adminAgent(testApp);
  const res = await admin.post('/admin/centres', centreForm(2, { siret: DEMO_SIRET, email: 'pas-une-adresse', nom: '' }));
  t.equal(res.statusCode, 400);
  t.equal(field(res.body, 'siret').error, DEMO_TAKEN, 'the SIRET already known');
  t.equal(field(res.body, 'email').error, 'Saisissez une adresse électronique valide, par exemple contact@centre.fr.', 'and the email');
  t.equal(field(res.body, 'nom').error, 'Saisissez le nom du centre.', 'and the name');
  t.same(box(res.body), { offered: true, checked: false });
  t.equal(await centreCount(testApp), 1);
});

t.test('ticking the box without a reason is refused at the reason; the box stays ticked and nothing is created', async (t) => {
  const testApp = await createTestApp(t, { seed: true });
  const admin = await adminAgent(testApp);
  await admin.post('/admin/centres', centreForm(2, { siret: DEMO_SIRET }));

  const res = await admin.post('/admin/centres', centreForm(2, { siret: DEMO_SIRET, siret_partage: 'oui', siret_motif: '   ' }));
  t.equal(res.statusCode, 400);
  t.same(field(res.body, 'siret_motif'), { value: '', invalid: true, error: REASON_MISSING }, 'the message is at the reason, tied to it');
  t.same(field(res.body, 'siret'), { value: DEMO_SIRET, invalid: false, error: null }, 'the SIRET itself is no longer the fault');
  t.same(box(res.body), { offered: true, checked: true }, 'the box stays ticked');
  t.equal(field(res.body, 'nom').value, 'Centre de formation numéro 2', 'the other values are kept');

  const long = 'x'.repeat(501);
  const tooLong = await admin.post('/admin/centres', centreForm(2, { siret: DEMO_SIRET, siret_partage: 'oui', siret_motif: long }));
  t.equal(tooLong.statusCode, 400);
  t.same(
    field(tooLong.body, 'siret_motif'),
    { value: long, invalid: true, error: 'Le motif ne doit pas dépasser 500 caractères.' },
    'a reason is 500 characters at most',
  );

  t.equal(await centreCount(testApp), 1, 'nothing was created');
  t.equal((await auditRows(testApp, 'centre.reconnu')).length, 0);
});

t.test('ticking the box with a reason recognises the centre; the journal names the other centre and keeps the reason', async (t) => {
  const testApp = await createTestApp(t, { seed: true });
  const admin = await adminAgent(testApp);
  const reason = 'Second site de la même entreprise,   à Villeurbanne.';
  const typed = centreForm(2, { siret: '732 829 320 00074', siret_partage: 'oui', siret_motif: reason });
  const res = await admin.post('/admin/centres', typed);
  t.equal(res.statusCode, 303, 'recognised');
  t.equal(createdId(res), 2);
  const page = await admin.get('/admin/centres/2');
  t.same(flashes(page.body), [{ type: 'success', text: `Le centre « ${typed.nom} » est reconnu sous l’identifiant centre0002.` }]);
  const stored = await testApp.db.kysely.selectFrom('centres').select(['name', 'siret']).where('id', '=', 2).executeTakeFirstOrThrow();
  t.same(stored, { name: typed.nom, siret: DEMO_SIRET }, 'stored with the same 14 digits as centre0001');

  const audit = await auditRows(testApp, 'centre.reconnu');
  t.same(
    audit.map((a) => a.target_id),
    ['centre0002'],
  );
  t.same(
    JSON.parse(audit[0]!.details!),
    { nom: typed.nom, siret: DEMO_SIRET, siret_partage_avec: ['centre0001'], motif: 'Second site de la même entreprise, à Villeurbanne.' },
    'the journal names centre0001 and keeps the reason',
  );

  // A third site: the message names both centres, and the journal too once forced.
  const third = await admin.post('/admin/centres', centreForm(3, { siret: DEMO_SIRET }));
  t.equal(third.statusCode, 400);
  t.equal(
    field(third.body, 'siret').error,
    `Ce SIRET est déjà celui des centres centre0001 — ${DEMO_NAME} et centre0002 — ${typed.nom}. ` +
      'S’il s’agit d’un autre site de la même entreprise, cochez « Autre site de la même entreprise » et indiquez pourquoi.',
  );
  const forced = await admin.post('/admin/centres', centreForm(3, { siret: DEMO_SIRET, siret_partage: 'oui', siret_motif: 'Troisième site.' }));
  t.equal(createdId(forced), 3);
  t.match(JSON.parse((await auditRows(testApp, 'centre.reconnu'))[1]!.details!), {
    siret_partage_avec: ['centre0001', 'centre0002'],
    motif: 'Troisième site.',
  });
});

t.test('the box ticked for a SIRET no other centre has: recognised, and the journal records no sharing', async (t) => {
  const testApp = await createTestApp(t, { seed: true });
  const admin = await adminAgent(testApp);
  const res = await admin.post('/admin/centres', centreForm(2, { siret_partage: 'oui', siret_motif: 'Par précaution.' }));
  t.equal(createdId(res), 2);
  t.same(JSON.parse((await auditRows(testApp, 'centre.reconnu'))[0]!.details!), { nom: 'Centre de formation numéro 2', siret: validSiret5(2) });
});

t.test('forms sent at the same moment with the same new SIRET: exactly one centre is recognised', async (t) => {
  const testApp = await createTestApp(t, { seed: true });
  // One after the other: the first sets up the second factor, which ends any sign-in opened before it.
  const admins: Agent[] = [];
  for (let i = 0; i < 3; i += 1) admins.push(await adminAgent(testApp));
  const siret = validSiret5(40);
  const responses = await Promise.all(Array.from({ length: 6 }, (_, i) => admins[i % 3]!.post('/admin/centres', centreForm(40 + i, { siret }))));
  t.same(responses.map((r) => r.statusCode).sort(), [303, 400, 400, 400, 400, 400], 'one is recognised, the five others refused');
  const winner = responses.find((r) => r.statusCode === 303)!;
  const winnerId = createdId(winner)!;
  const winnerName = (await testApp.db.kysely.selectFrom('centres').select('name').where('id', '=', winnerId).executeTakeFirstOrThrow()).name;
  for (const r of responses.filter((x) => x.statusCode === 400)) {
    t.match(
      field(r.body, 'siret').error ?? '',
      `Ce SIRET est déjà celui du centre centre000${winnerId} — ${winnerName}.`,
      'each refusal names the centre recognised',
    );
  }
  t.equal((await testApp.db.kysely.selectFrom('centres').select('id').where('siret', '=', siret).execute()).length, 1, 'one centre has this SIRET');
  t.equal((await auditRows(testApp, 'centre.reconnu')).length, 1, 'one recognition journalled');
});

// ——— Editing a centre ———————————————————————————————————————————————————————————

t.test('editing a centre to the SIRET of another is refused the same way; forced with a reason, it is saved and journalled', async (t) => {
  const testApp = await createTestApp(t, { seed: true });
  const admin = await adminAgent(testApp);
  t.equal(createdId(await admin.post('/admin/centres', centreForm(2))), 2);
  t.same(box((await admin.get('/admin/centres/2')).body), { offered: false, checked: false }, 'the centre page offers no box at first');

  const typed = centreForm(2, { nom: 'Nom jamais enregistré', siret: '7328 2932 0000 74' });
  const res = await admin.post('/admin/centres/2', typed);
  t.equal(res.statusCode, 400);
  t.equal(h1(res.body), 'Centre de formation numéro 2 (centre0002)', 'the centre page is shown again');
  t.same(field(res.body, 'siret'), { value: typed.siret, invalid: true, error: DEMO_TAKEN }, 'refused at the SIRET, naming centre0001');
  t.equal(field(res.body, 'nom').value, 'Nom jamais enregistré', 'the typed values are kept');
  t.same(box(res.body), { offered: true, checked: false });
  t.same(
    ['motif', 'siret_motif'].map((id) => res.body.split(`id="${id}"`).length - 1),
    [1, 1],
    'the SIRET reason and the suspension reason are two fields, each id once on the page',
  );
  const row = await testApp.db.kysely.selectFrom('centres').select(['name', 'siret']).where('id', '=', 2).executeTakeFirstOrThrow();
  t.same(row, { name: 'Centre de formation numéro 2', siret: validSiret5(2) }, 'nothing changed');
  t.equal((await auditRows(testApp, 'centre.modifie')).length, 0, 'nothing journalled');

  const noReason = await admin.post('/admin/centres/2', { ...typed, siret_partage: 'oui' });
  t.equal(noReason.statusCode, 400);
  t.equal(field(noReason.body, 'siret_motif').error, REASON_MISSING);

  const forced = await admin.post('/admin/centres/2', {
    ...typed,
    nom: 'Centre AIPR Villeurbanne',
    siret_partage: 'oui',
    siret_motif: 'Même entreprise, autre site.',
  });
  t.equal(forced.statusCode, 303);
  t.equal(forced.headers.location, '/admin/centres/2');
  t.equal((await testApp.db.kysely.selectFrom('centres').select('siret').where('id', '=', 2).executeTakeFirstOrThrow()).siret, DEMO_SIRET);
  const audit = await auditRows(testApp, 'centre.modifie');
  t.equal(audit.length, 1);
  t.match(JSON.parse(audit[0]!.details!), {
    avant: { siret: validSiret5(2) },
    apres: { name: 'Centre AIPR Villeurbanne', siret: DEMO_SIRET },
    siret_partage_avec: ['centre0001'],
    motif: 'Même entreprise, autre site.',
  });

  // The SIRET it now shares on purpose is its own: a later edit is not refused again.
  const later = await admin.post('/admin/centres/2', centreForm(2, { nom: 'Centre AIPR Villeurbanne Nord', siret: DEMO_SIRET }));
  t.equal(later.statusCode, 303, 'a centre keeping the SIRET it shares is not refused');
  const laterAudit = await auditRows(testApp, 'centre.modifie');
  t.equal(laterAudit.length, 2);
  t.notOk('siret_partage_avec' in JSON.parse(laterAudit[1]!.details!), 'and the journal records no new sharing');
  // Nor is the centre it shares with.
  const demo = await admin.post('/admin/centres/1', {
    nom: DEMO_NAME,
    adresse: '1 rue de la Démonstration, 69001 Lyon',
    siret: DEMO_SIRET,
    email: 'contact@demo.test',
  });
  t.equal(demo.statusCode, 303, 'centre0001 keeps its SIRET, shared with centre0002, without being refused');
});

t.test('a centre keeping its own SIRET when edited is not refused', async (t) => {
  const testApp = await createTestApp(t, { seed: true });
  const admin = await adminAgent(testApp);
  const res = await admin.post('/admin/centres/1', {
    nom: 'Centre de démonstration AIPR (renommé)',
    adresse: '1 rue de la Démonstration, 69001 Lyon',
    siret: '732 829 320 00074',
    email: 'contact@demo.test',
  });
  t.equal(res.statusCode, 303);
  t.equal(
    (await testApp.db.kysely.selectFrom('centres').select('name').where('id', '=', 1).executeTakeFirstOrThrow()).name,
    'Centre de démonstration AIPR (renommé)',
  );
  const wrongEmail = await admin.post('/admin/centres/1', { nom: DEMO_NAME, adresse: '1 rue', siret: DEMO_SIRET, email: 'x' });
  t.equal(wrongEmail.statusCode, 400);
  t.same(
    field(wrongEmail.body, 'siret'),
    { value: DEMO_SIRET, invalid: false, error: null },
    'its own SIRET is never the fault, even beside another wrong field',
  );
  t.same(box(wrongEmail.body), { offered: false, checked: false });
});

t.test('the check is in the transaction of the write: recognitions running at once with the same new SIRET, one passes', async (t) => {
  // Called directly, the writes interleave at each await (over HTTP, each request here would run to
  // its end before the next began): a check made before the transaction would let all of them pass.
  const testApp = await createTestApp(t, { seed: true });
  const siret = validSiret5(60);
  const acting = { actor: { accountId: null, label: 'test' } };
  const outcomes = await Promise.all(
    Array.from({ length: 5 }, (_, i) =>
      recogniseCentre(testApp.db.kysely, testApp.clock, { name: `Centre ${i}`, address: `${i} rue`, siret, contact_email: `c${i}@centre.test` }, null, acting),
    ),
  );
  t.same(
    outcomes.map((o) => o.ok),
    [true, false, false, false, false],
    'the first is recognised, the four others refused',
  );
  t.same(
    outcomes.slice(1).map((o) => (o.ok ? null : o.sharedWith)),
    Array(4).fill([{ id: 2, name: 'Centre 0' }]),
    'each refusal names the centre recognised',
  );
  t.equal((await testApp.db.kysely.selectFrom('centres').select('id').where('siret', '=', siret).execute()).length, 1, 'one centre has this SIRET');

  // Forced, they all pass, each naming the centres recognised before it.
  const forced = await Promise.all(
    Array.from({ length: 3 }, (_, i) =>
      recogniseCentre(
        testApp.db.kysely,
        testApp.clock,
        { name: `Site ${i}`, address: `${i} rue`, siret, contact_email: `s${i}@centre.test` },
        { reason: 'Autre site.' },
        acting,
      ),
    ),
  );
  t.same(
    forced.map((o) => o.ok),
    [true, true, true],
  );
  const shared = (await auditRows(testApp, 'centre.reconnu'))
    .slice(1)
    .map((a) => (JSON.parse(a.details!) as { siret_partage_avec: string[] }).siret_partage_avec);
  t.same(shared, [['centre0002'], ['centre0002', 'centre0003'], ['centre0002', 'centre0003', 'centre0004']]);
});
