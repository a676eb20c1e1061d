/**
 * Candidates' identities age out (issue 15, RGPD): past the retention period, the exam and its
 * printed attestation's stored copy hold neutral values; the score, the attestation's number and
 * validity, and /verifier stay. A dry run changes nothing; a second run finds nothing more to do.
 */
import t from 'tap';
import { addDays, formatShortDate, parisDate, parisStartOfDay } from '../../src/domain/paris-time.js';
import { CLI_ACTOR } from '../../src/services/audit.js';
import { correctIdentity, fieldsOf, printRefusal } from '../../src/services/attestations/lifecycle.js';
import { findAttestationOfExam } from '../../src/services/attestations/queries.js';
import { purgePersonalData } from '../../src/services/personal-data.js';
import type { AttestationFields } from '../../src/domain/attestation.js';
import { twoCentres, type TwoCentres } from '../helpers/exam-fixtures.js';
import { visibleText } from '../helpers/html.js';
import { pastSession } from '../helpers/past-sessions.js';

/** What the purge may change or must keep, per exam. */
async function examRows(ctx: TwoCentres) {
  return ctx.db
    .selectFrom('exams as e')
    .leftJoin('attestations as a', 'a.exam_id', 'e.id')
    .select(['e.id', 'e.last_name', 'e.first_name', 'e.birth_date', 'e.company', 'e.company_address', 'e.search_key', 'e.score', 'e.passed', 'e.anonymised_at'])
    .select(['a.number', 'a.kind', 'a.snapshot'])
    .orderBy('e.id')
    .execute();
}

/** Stores the attestation's copy as its first print does, so that the purge meets one. */
async function printed(ctx: TwoCentres, examId: number): Promise<void> {
  const row = await findAttestationOfExam(ctx.db, null, examId);
  if (!row) throw new Error('no attestation');
  const fields = fieldsOf(row, parisDate(ctx.testApp.clock.now()));
  await ctx.db
    .updateTable('attestations')
    .set({ snapshot: JSON.stringify(fields), printed_at: ctx.testApp.clock.now().toISOString() })
    .where('exam_id', '=', examId)
    .execute();
}

async function purgeAudits(ctx: TwoCentres) {
  return ctx.db.selectFrom('audit_log').select(['actor_label', 'details']).where('action', '=', 'donnees.identites_anonymisees').orderBy('id').execute();
}

t.test('before the limit nothing changes; the day after, identities are anonymised and the rest stays', async (t) => {
  const ctx = await twoCentres(t);
  const { clock } = ctx.testApp;
  const old = await pastSession(ctx, ctx.centreA, 5 * 365 + 30, [
    { identity: { lastName: 'Dupont', firstName: 'Éloïse', birthDate: '1980-05-04', company: 'Terrassements du Rhône', companyAddress: '69003 Lyon' } },
    { identity: { lastName: 'Martin', firstName: 'Paul' }, outcome: 'failed' },
  ]);
  const recent = await pastSession(ctx, ctx.centreA, 10, [{ identity: { lastName: 'Récent', firstName: 'Léa', company: 'TP Lyon' } }]);
  await printed(ctx, old.examIds[0]!);
  const examDay = (await ctx.db.selectFrom('exam_sessions').select('date').where('id', '=', old.sessionId).executeTakeFirstOrThrow()).date;
  const lastDayKept = `${Number(examDay.slice(0, 4)) + 5}${examDay.slice(4)}`;
  const before = await examRows(ctx);
  const number = before.find((r) => r.id === old.examIds[0])!.number!;

  clock.set(new Date(parisStartOfDay(lastDayKept).getTime() + 23 * 3600_000));
  const onLastDay = await purgePersonalData(ctx.db, clock, { dryRun: false, actor: CLI_ACTOR });
  t.equal(onLastDay.exams, 0, 'on the last day of the period, nothing is due');
  t.same(await examRows(ctx), before, 'nothing changed');

  clock.set(new Date(parisStartOfDay(addDays(lastDayKept, 1)).getTime() + 3600_000));
  const dry = await purgePersonalData(ctx.db, clock, { dryRun: true, actor: CLI_ACTOR });
  t.same(
    dry,
    { dryRun: true, years: 5, cutoff: addDays(examDay, 1), exams: 2, attestations: 1, oldest: examDay, newest: examDay },
    'the dry run says what it would do',
  );
  t.same(await examRows(ctx), before, 'the dry run changed nothing');
  t.same(await purgeAudits(ctx), [], 'nor wrote to the audit log');

  const done = await purgePersonalData(ctx.db, clock, { dryRun: false, actor: CLI_ACTOR });
  t.same(done, { ...dry, dryRun: false }, 'the purge did what the dry run said');
  const after = await examRows(ctx);
  for (const id of old.examIds) {
    const was = before.find((r) => r.id === id)!;
    const now = after.find((r) => r.id === id)!;
    t.same(
      { ...now, snapshot: null },
      {
        ...was,
        last_name: 'Anonymisé',
        first_name: 'Anonymisé',
        birth_date: '1900-01-01',
        company: null,
        company_address: null,
        search_key: 'anonymise anonymise',
        anonymised_at: clock.now().toISOString(),
        snapshot: null,
      },
      `exam ${id}: identity replaced, score, result and attestation number kept`,
    );
  }
  const snapshot = JSON.parse(after.find((r) => r.id === old.examIds[0])!.snapshot!) as AttestationFields;
  const snapshotBefore = JSON.parse(before.find((r) => r.id === old.examIds[0])!.snapshot!) as AttestationFields;
  t.same(
    snapshot,
    { ...snapshotBefore, candidate: { lastName: 'Anonymisé', firstName: 'Anonymisé', birthDate: '1900-01-01', company: null, companyAddress: null } },
    'the printed copy lost the identity and kept the rest (number, profile, dates, centre)',
  );
  t.same(
    after.find((r) => r.id === recent.examIds[0]),
    before.find((r) => r.id === recent.examIds[0]),
    'a recent exam keeps its identity',
  );

  const audits = await purgeAudits(ctx);
  t.equal(audits.length, 1, 'one audit row for the run');
  t.same(JSON.parse(audits[0]!.details!), { examens: 2, attestations: 1, duree_annees: 5, avant_le: addDays(examDay, 1), du: examDay, au: examDay });
  t.equal(audits[0]!.actor_label, 'CLI');
  t.notMatch(audits[0]!.details!, /Dupont|Martin/, 'the audit row names nobody');

  const page = await ctx.testApp.app.inject({ method: 'GET', url: `/verifier/${number}` });
  t.equal(page.statusCode, 200, 'the verification page still answers');
  const text = visibleText(page.body);
  t.match(text, 'Attestation expirée', 'it tells the attestation existed, and its validity');
  t.match(text, `Valable jusqu’au`);
  t.match(text, /Titulaire Identité effacée le \d\d\/\d\d\/\d{4} : la durée de conservation des données personnelles est écoulée/);
  t.notMatch(text, /DUPONT|ANONYMISÉ/, 'no name, not even the placeholder');
  t.match(text, 'Centre A de Lyon (centre0001)', 'the centre stays');

  const erased = await findAttestationOfExam(ctx.db, null, old.examIds[0]!);
  const erasedOn = formatShortDate(addDays(lastDayKept, 1));
  t.equal(
    printRefusal(erased!)?.message,
    `L’identité du titulaire a été effacée le ${erasedOn}, sa durée de conservation écoulée : cette attestation ne peut plus être imprimée.`,
    'an anonymised attestation is no longer printed',
  );
  const correction = await correctIdentity(
    ctx.db,
    clock,
    {
      centreId: ctx.centreA,
      examId: old.examIds[0]!,
      form: { nom: 'Dupont', prenom: 'Éloïse', date_naissance: '1980-05-04', motif: 'Retrouvée dans un classeur' },
    },
    { actor: CLI_ACTOR },
  );
  t.same(
    correction,
    { ok: false, refused: `L’identité du titulaire a été effacée le ${erasedOn}, sa durée de conservation écoulée : elle ne se corrige plus.` },
    'nor corrected back to a name',
  );

  clock.advance(24 * 3600_000);
  const again = await purgePersonalData(ctx.db, clock, { dryRun: false, actor: CLI_ACTOR });
  t.equal(again.exams, 0, 'a second run finds nothing more');
  t.same(await examRows(ctx), after, 'and changes nothing');
  t.equal((await purgeAudits(ctx)).length, 1, 'nor writes another audit row');
});

t.test('the period set by the administration moves the limit', async (t) => {
  const ctx = await twoCentres(t);
  await pastSession(ctx, ctx.centreA, 400, [{ identity: { lastName: 'Durand', firstName: 'Jean' } }]);
  t.equal((await purgePersonalData(ctx.db, ctx.testApp.clock, { dryRun: true, actor: CLI_ACTOR })).exams, 0, '5 years: kept');
  await ctx.db.updateTable('platform_settings').set({ identity_retention_years: 1 }).execute();
  const report = await purgePersonalData(ctx.db, ctx.testApp.clock, { dryRun: false, actor: CLI_ACTOR });
  t.equal(report.years, 1);
  t.equal(report.exams, 1, '1 year: anonymised');
});
