import pg from 'pg';
import t from 'tap';
import type { Db } from '../../../src/db/connection.js';
import { DEMO_MANAGER_EMAIL } from '../../../src/operator/seed-demo.js';
import { recordAudit } from '../../../src/services/audit.js';
import { adminAgent, managerAgent } from '../../helpers/agents.js';
import { insertCentre } from '../../helpers/exam-fixtures.js';
import { visibleText } from '../../helpers/html.js';
import { startCandidate } from '../../helpers/kiosk.js';
import { kioskRoom } from '../../helpers/kiosk-room.js';

/**
 * Records the SQL the app sends to its database until `stop`, at the driver, below the app's own
 * Kysely: what better-sqlite3 prepares, or what the clients of the PostgreSQL pool are asked to run.
 */
function recordStatements(db: Db): { statements: string[]; stop(): void } {
  const statements: string[] = [];
  if (db.kind === 'sqlite') {
    const { sqlite } = db;
    const prepare = sqlite.prepare.bind(sqlite);
    sqlite.prepare = (source: string) => {
      statements.push(source);
      return prepare(source);
    };
    return { statements, stop: () => void (sqlite.prepare = prepare) };
  }
  // Kysely checks a client out of the pool for each query (or transaction), then calls its query().
  const wrapped = new Map<pg.PoolClient, pg.PoolClient['query']>();
  const onAcquire = (client: pg.PoolClient) => {
    if (wrapped.has(client)) return;
    const query = client.query;
    wrapped.set(client, query);
    client.query = ((text: unknown, ...rest: unknown[]) => {
      statements.push(typeof text === 'string' ? text : (text as pg.QueryConfig).text);
      return (query as (...args: unknown[]) => unknown).call(client, text, ...rest);
    }) as pg.PoolClient['query'];
  };
  db.pool.on('acquire', onAcquire);
  return {
    statements,
    stop: () => {
      db.pool.off('acquire', onAcquire);
      for (const [client, query] of wrapped) client.query = query;
    },
  };
}

/** The text of the journal's table rows that mention `needle`, one string per row. */
function rowsWith(html: string, needle: string): string[] {
  return [...html.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((m) => m[1]!).filter((row) => visibleText(row).includes(needle));
}

t.test('the journal reads in French: labels, Paris times, readable details, named and linked targets, a centre filter', async (t) => {
  const room = await kioskRoom(t);
  const { db, clock } = room;
  // Centre0001 (the demo's): a candidate's exam in its open session, extra time, a new session opened, a batch of tokens.
  const candidate = await startCandidate(room);
  const manager = await managerAgent(room.testApp);
  t.equal((await manager.post(`/centre/examens/${candidate.examId}/temps-supplementaire`, { minutes: '10' })).statusCode, 303, 'extra time granted');
  const created = await manager.post('/centre/sessions/nouvelle', { date: '2026-11-29', heure_debut: '14:00', salle: 'Salle B12', surveillant: 'M. Martin' });
  const sessionId = Number(/\/centre\/sessions\/(\d+)/.exec(String(created.headers.location))?.[1]);
  t.ok(sessionId > 0, 'a session is created');
  t.equal((await manager.post(`/centre/sessions/${sessionId}/ouvrir`, {})).statusCode, 303, 'and opened');
  const batch = await manager.post('/centre/jetons/nouvelle-table', { questionnaire: String(room.questionnaireIds.operateur), nombre: '5' });
  t.equal(batch.statusCode, 303, 'a batch of tokens is generated');

  // Centre0002: suspended by the administrator with a hostile reason, and one of its sessions opened.
  await insertCentre(db, clock, { id: 2, name: 'Centre de Lille' });
  const admin = await adminAgent(room.testApp);
  const hostile = '<script>alert("x")</script> & <b>gras</b>';
  const suspended = await admin.post('/admin/centres/2/suspendre', { motif: hostile, confirme: '1' });
  t.equal(suspended.statusCode, 303, 'centre0002 suspended');
  const other = await db
    .insertInto('exam_sessions')
    .values({
      centre_id: 2,
      date: '2026-11-29',
      start_time: '09:00',
      room: 'Salle Nord',
      supervisor: 'Mme Roux',
      status: 'open',
      created_at: clock.now().toISOString(),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await recordAudit(db, clock, {
    action: 'session.ouverte',
    actor: { accountId: null, label: 'gestionnaire.lille@centre.test' },
    target: { type: 'session', id: other.id },
    details: { centre: 2, date: '2026-11-29', salle: 'Salle Nord' },
  });
  // The signatory of centre0002 changed: this row names its centre by number (`2`), as services/centres/signatory.ts writes it.
  await recordAudit(db, clock, {
    action: 'centre.signataire_modifie',
    actor: { accountId: null, label: 'admin@demo.test' },
    target: { type: 'centre', id: 2 },
    details: { avant: { representative_name: null, town: null }, apres: { representative_name: 'Mme Claire Roux', town: 'Lille' } },
  });
  // A manager attached to centre0001 (details name the centre), and a row of an action no longer written.
  await admin.post('/admin/gestionnaires', { nom: 'Camille Durand', email: 'camille.durand@centre.test', centre: '1' });
  await recordAudit(db, clock, { action: 'ancienne.action', actor: { accountId: null, label: 'CLI' }, details: { cle_libre: 'valeur' } });

  const page = await admin.get('/admin/journal');
  t.equal(page.statusCode, 200);
  const text = visibleText(page.body);

  t.test('actions by their French label; an unknown action by its code', async (t) => {
    for (const label of [
      'Connexion',
      'Temps supplémentaire accordé',
      'Session créée',
      'Session ouverte',
      'Jetons générés',
      'Centre suspendu',
      'Examen commencé',
      'Poste admis à la session',
      'Gestionnaire créé',
    ]) {
      t.ok(text.includes(label), `« ${label} » is shown`);
    }
    t.match(rowsWith(page.body, 'Temps supplémentaire accordé')[0], /Temps supplémentaire accordé/);
    t.equal(rowsWith(page.body, 'ancienne.action').length, 1, 'the old action is shown by its code');
  });

  t.test('times in Paris, in the column and inside the details', async (t) => {
    t.ok(text.includes('29/11/2026 à 10 h 00'), 'the test clock (09:00 UTC) reads 10:00 in Paris');
    t.notMatch(text, /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/, 'no UTC instant in the text a person reads');
    const exam = await db.selectFrom('exams').select(['started_at', 'deadline_at']).where('id', '=', candidate.examId).executeTakeFirstOrThrow();
    const [row] = rowsWith(page.body, 'Temps supplémentaire accordé');
    const rowText = visibleText(row ?? '');
    t.ok(rowText.includes('Minutes : 10'), 'the minutes granted, as « clé : valeur »');
    // The deadline after the extra time, as the test clock put it: in UTC, then as Paris reads it (UTC+1 in November).
    const deadline = new Date(exam.deadline_at);
    const paris = new Date(deadline.getTime() + 3_600_000);
    const hhmm = `${String(paris.getUTCHours()).padStart(2, '0')} h ${String(paris.getUTCMinutes()).padStart(2, '0')}`;
    t.ok(rowText.includes(`Après : 29/11/2026 à ${hhmm}`), `the new deadline in Paris time (${hhmm})`);
  });

  t.test('details as readable lines, not JSON', async (t) => {
    t.notMatch(text, /\{"/, 'no raw JSON');
    const [opened] = rowsWith(page.body, 'Session du 29/11/2026 à 14 h 00');
    t.ok(opened, 'the opening of the new session is listed');
    const [generated] = rowsWith(page.body, 'Jetons générés');
    const generatedText = visibleText(generated ?? '');
    t.ok(generatedText.includes('Centre : centre0001'), generatedText);
    t.ok(generatedText.includes('Nombre : 5'));
    t.ok(generatedText.includes('Profil : Opérateur'), 'a coded value by its label');
    t.ok(visibleText(rowsWith(page.body, 'ancienne.action')[0] ?? '').includes('cle_libre : valeur'), 'an unknown key is shown as it is');
  });

  t.test('targets by their name, with a link where the administrator has a page', async (t) => {
    t.notMatch(text, /\b(compte|jeton|session|examen|lot_jetons|centre) \d+\b/, 'no « compte 3 » or « jeton 91 »');
    const [suspension] = rowsWith(page.body, 'Centre suspendu');
    t.match(suspension, '<a href="/admin/centres/2">Centre de Lille (centre0002)</a>');
    const managerAccount = await db.selectFrom('accounts').select('id').where('email', '=', DEMO_MANAGER_EMAIL).executeTakeFirstOrThrow();
    const [signIn] = rowsWith(page.body, 'Connexion').filter((row) => row.includes(`/admin/gestionnaires/${managerAccount.id}`));
    t.match(
      signIn,
      `<a href="/admin/gestionnaires/${managerAccount.id}">${DEMO_MANAGER_EMAIL}</a>`,
      'the manager who signed in, by e-mail, linked to their page',
    );
    const [extra] = rowsWith(page.body, 'Temps supplémentaire accordé');
    const exam = await db.selectFrom('exams').select(['first_name', 'last_name']).where('id', '=', candidate.examId).executeTakeFirstOrThrow();
    t.ok(visibleText(extra ?? '').includes(`Examen de ${exam.first_name} ${exam.last_name}`), 'the exam by its candidate');
    t.match(extra, '<a href="/admin/centres/1">', 'and its centre, linked');
    const [opened] = rowsWith(page.body, 'Session du 29/11/2026 à 14 h 00, Salle B12');
    t.match(opened, /Session ouverte/);
    t.match(opened, '<a href="/admin/centres/1">');
    const [generated] = rowsWith(page.body, 'Jetons générés');
    t.match(visibleText(generated ?? ''), /Lot n° \d+ de 5 jetons/);
    const published = await db.selectFrom('questionnaires').select('id').where('status', '=', 'published').executeTakeFirstOrThrow();
    t.match(page.body, `href="/admin/questionnaires/${published.id}"`, 'a questionnaire links to its page');
  });

  t.test('hostile text in the details is escaped', async (t) => {
    t.notMatch(page.body, '<script>alert', 'no script tag from the details');
    t.notMatch(page.body, '<b>gras</b>');
    t.match(page.body, '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;gras&lt;/b&gt;');
    t.match(page.body, 'class="app-audit-details"', 'details sit in the cell that wraps long values');
  });

  t.test('« centre0001 », in any case, finds the rows about that centre and only those', async (t) => {
    const newBatch = await db.selectFrom('token_batches').select('id').where('centre_id', '=', 1).orderBy('id', 'desc').executeTakeFirstOrThrow();
    for (const q of ['centre0001', 'CENTRE0001', ' Centre0001 ']) {
      const filtered = await admin.get(`/admin/journal?q=${encodeURIComponent(q)}`);
      const filteredText = visibleText(filtered.body);
      t.equal(filtered.statusCode, 200);
      t.equal(rowsWith(filtered.body, 'Session du 29/11/2026 à 14 h 00').length, 2, `${q}: the new session's creation and opening`);
      t.equal(rowsWith(filtered.body, `Lot n° ${newBatch.id} de 5 jetons`).length, 1, `${q}: the new batch of tokens`);
      t.equal(rowsWith(filtered.body, 'Temps supplémentaire accordé').length, 1, `${q}: the extra time of its exam`);
      t.equal(rowsWith(filtered.body, 'Examen commencé').length, 1, `${q}: the exam's start`);
      t.equal(rowsWith(filtered.body, 'Poste admis à la session').length, 1, `${q}: the terminal admitted to its session`);
      t.equal(rowsWith(filtered.body, 'Gestionnaire créé').length, 1, `${q}: the manager created for it`);
      t.notOk(filteredText.includes('centre0002'), `${q}: nothing about centre0002`);
      t.notOk(filteredText.includes('Salle Nord'));
      t.notOk(filteredText.includes('Connexion'), `${q}: no sign-in`);
    }
    const other = await admin.get('/admin/journal?q=centre0002');
    t.equal(rowsWith(other.body, 'Centre suspendu').length, 1, 'centre0002: its suspension');
    t.equal(rowsWith(other.body, 'Salle Nord').length, 1, 'centre0002: its session');
    const [signatory] = rowsWith(other.body, 'Signataire des attestations modifié');
    t.match(signatory, '<a href="/admin/centres/2">Centre de Lille (centre0002)</a>', 'a centre written by its number is named and found too');
    t.ok(visibleText(signatory ?? '').includes('Après : Signataire : Mme Claire Roux Lieu : Lille'), 'before and after, key by key');
    t.equal(rowsWith(other.body, 'Jetons générés').length, 0);
  });

  t.test('the targets of a page are named with one query per kind, whatever the number of rows', async (t) => {
    // More rows of each kind on the page: sessions, exams, a token, tokens batches, accounts.
    const token = await db.selectFrom('exam_tokens').select(['id', 'batch_id']).where('centre_id', '=', 1).orderBy('id').executeTakeFirstOrThrow();
    const sessions = await db.selectFrom('exam_sessions').select('id').execute();
    for (const s of sessions)
      await recordAudit(db, clock, { action: 'session.code_renouvele', actor: { accountId: null, label: 'test' }, target: { type: 'session', id: s.id } });
    await recordAudit(db, clock, {
      action: 'jeton.revoque',
      actor: { accountId: null, label: 'test' },
      target: { type: 'jeton', id: token.id },
      details: { centre: 'centre0001', lot: token.batch_id },
    });
    const recording = recordStatements(room.testApp.db);
    let journal;
    try {
      journal = await admin.get('/admin/journal');
    } finally {
      recording.stop();
    }
    const { statements } = recording;
    t.equal(journal.statusCode, 200);
    t.match(visibleText(journal.body), `Jeton n° ${token.id} du lot n° ${token.batch_id}`, 'a token by its batch');
    for (const table of ['centres', 'accounts', 'questionnaires', 'exam_sessions', 'exams', 'exam_tokens', 'token_batches']) {
      // The page's reads by a list of ids (the signed-in account is read by the guard, by its id alone).
      const reads = statements.filter((sql) => new RegExp(`^select .* from "${table}"( as "\\w+")? .*"id" in \\(`).test(sql));
      t.equal(reads.length, 1, `${table}: one query (${reads.length})`);
    }
  });

  t.test('the filter also finds an action by its French label', async (t) => {
    const filtered = await admin.get(`/admin/journal?q=${encodeURIComponent('temps supplementaire')}`);
    t.equal(rowsWith(filtered.body, 'Temps supplémentaire accordé').length, 1);
    t.equal(rowsWith(filtered.body, 'Jetons générés').length, 0);
  });
});
