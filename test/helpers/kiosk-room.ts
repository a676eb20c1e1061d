/**
 * The exam room shared by the kiosk tests over HTTP (test/helpers/kiosk.ts) and in Chromium
 * (test/e2e/kiosk-support.ts): the demo centre, its published questionnaires, their tokens and
 * today's open session; the candidates' identities; and what the database holds of a drawn exam.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import type { Clock } from '../../src/clock.js';
import type { Profile } from '../../src/domain/profiles.js';
import type { ExamRules } from '../../src/domain/rules.js';
import { formatAdmissionCode } from '../../src/domain/admission-code.js';
import { formatTokenCode } from '../../src/domain/token-code.js';
import { renewAdmissionCode } from '../../src/services/exam/admission.js';
import { importQuestionnaire } from '../../src/areas/admin/questionnaires/lifecycle.js';
import { generateTokens } from '../../src/operator/generate-tokens.js';
import { seedDemo } from '../../src/operator/seed-demo.js';
import { DEMO_DIR } from '../../src/paths.js';
import { createTestApp, DEMO_PASSWORD, type Teardown, type TestApp, type TestAppOptions } from './app.js';

export const CENTRE = 'centre0001';
export const CENTRE_ID = 1;

export interface IdentityFields {
  nom: string;
  prenom: string;
  date_naissance: string;
  entreprise: string;
}

export const IDENTITY: IdentityFields = { nom: 'Lefèvre', prenom: 'Zoé', date_naissance: '1985-04-23', entreprise: 'Terrassements du Rhône' };

/** Accents, hyphens, apostrophes and an ampersand: what the kiosk must take and show as typed. */
export const ACCENTED_IDENTITY: IdentityFields = {
  nom: 'Lefèvre-Dupré d’Aumale',
  prenom: 'Éloïse Anaïs',
  date_naissance: '1990-05-17',
  entreprise: 'Société Générale d’Électricité & Fils',
};

export interface Room {
  testApp: TestApp;
  app: TestApp['app'];
  db: TestApp['db']['kysely'];
  clock: TestApp['clock'];
  sessionId: number;
  questionnaireIds: Record<Profile, number>;
  /** A fresh available token of the profile (printed form), never handed out twice by this room. */
  takeToken(profile?: Profile): string;
  /** The code the room view shows to admit terminals (printed form), drawn anew if it expired. */
  admissionCode(sessionId?: number): Promise<string>;
}

/** What the room view of the session shows as its code (a new one is drawn, as the supervisor would, once it expired). */
export async function admissionCodeOf(db: Room['db'], clock: Clock, sessionId: number): Promise<string> {
  const valid = () =>
    db
      .selectFrom('exam_sessions')
      .select('admission_code')
      .where('id', '=', sessionId)
      .where('admission_code_expires_at', '>', clock.now().toISOString())
      .executeTakeFirst();
  let row = await valid();
  if (!row?.admission_code) {
    await renewAdmissionCode(db, clock, sessionId);
    row = await valid();
  }
  return formatAdmissionCode(row!.admission_code!);
}

/**
 * The demo exam room on a fresh database, closed when `t` ends. `answerIdsFrom` and
 * `questionIdsFrom` make those ids start at a large number, so that a test can look for them in a
 * page without meeting small numbers by chance.
 */
export async function kioskRoom(t: Teardown, options: { answerIdsFrom?: number; questionIdsFrom?: number } & Omit<TestAppOptions, 'seed'> = {}): Promise<Room> {
  const { answerIdsFrom, questionIdsFrom, ...appOptions } = options;
  const testApp = await createTestApp(t, appOptions);
  const db = testApp.db.kysely;
  // Before the seed: its rows take their ids from these sequences.
  const startIdsAt = (table: 'answers' | 'questions', from: number) =>
    testApp.db.kind === 'sqlite'
      ? sql`insert into sqlite_sequence (name, seq) values (${table}, ${from})`.execute(db)
      : sql`select setval(pg_get_serial_sequence(${table}, 'id'), ${from})`.execute(db);
  if (answerIdsFrom !== undefined) await startIdsAt('answers', answerIdsFrom);
  if (questionIdsFrom !== undefined) await startIdsAt('questions', questionIdsFrom);
  await seedDemo(db, testApp.clock, DEMO_PASSWORD);
  const session = await db.selectFrom('exam_sessions').select('id').where('status', '=', 'open').executeTakeFirstOrThrow();
  const questionnaires = await db.selectFrom('questionnaires').select(['id', 'profile']).where('status', '=', 'published').execute();
  const questionnaireIds = Object.fromEntries(questionnaires.map((q) => [q.profile, q.id])) as Record<Profile, number>;
  const tokens = await db
    .selectFrom('exam_tokens as t')
    .innerJoin('questionnaires as q', 'q.id', 't.questionnaire_id')
    .select(['t.code', 'q.profile'])
    .where('t.status', '=', 'available')
    .where('t.centre_id', '=', CENTRE_ID)
    .orderBy('t.id')
    .execute();
  const pool = new Map<Profile, string[]>();
  for (const row of tokens) pool.set(row.profile, [...(pool.get(row.profile) ?? []), row.code]);
  return {
    testApp,
    app: testApp.app,
    db,
    clock: testApp.clock,
    sessionId: session.id,
    questionnaireIds,
    admissionCode: (sessionId = session.id) => admissionCodeOf(db, testApp.clock, sessionId),
    takeToken(profile: Profile = 'operateur') {
      const code = pool.get(profile)?.shift();
      if (!code) throw new Error(`no available ${profile} token left`);
      return formatTokenCode(code);
    },
  };
}

/**
 * A token (printed form) of a new operator version of the demo bank in which the priority
 * questions, and only they, carry an image: whatever the draw, an exam of it has questions with an
 * image and questions without one. No image is described, so that every one has the kiosk's
 * generic text alternative.
 */
export async function illustratedToken(room: Room): Promise<string> {
  const bank = JSON.parse(readFileSync(join(DEMO_DIR, 'questionnaires', 'operateur.json'), 'utf8')) as {
    version: string;
    questions: { prioritaire: boolean; image?: string; description_image?: string }[];
  };
  const images = bank.questions.flatMap((q) => (q.image === undefined ? [] : [q.image]));
  bank.version = `${bank.version}-illustree`;
  bank.questions.forEach((q, i) => {
    if (q.prioritaire) q.image ??= images[i % images.length];
    else delete q.image;
    delete q.description_image;
  });
  const imported = await importQuestionnaire(
    room.db,
    room.clock,
    { format: 'json', text: JSON.stringify(bank) },
    { publish: true, actor: { accountId: null, label: 'test' } },
  );
  if (!imported.ok) throw new Error(`illustrated bank refused: ${JSON.stringify(imported.errors)}`);
  const tokens = await generateTokens(room.db, room.clock, { centreId: CENTRE, profile: 'operateur', count: 1, actorLabel: 'test' });
  if (!tokens.ok) throw new Error(tokens.message);
  if (tokens.questionnaire.id !== imported.questionnaireId) throw new Error('the token is not of the illustrated version');
  return tokens.formattedCodes[0]!;
}

/** The exam started with a token (printed form), with its questionnaire's rules and its token's status. */
export async function examByToken(db: Room['db'], printedToken: string) {
  return db
    .selectFrom('exams as e')
    .innerJoin('exam_tokens as t', 't.id', 'e.token_id')
    .innerJoin('questionnaires as q', 'q.id', 'e.questionnaire_id')
    .select([
      'e.id',
      'e.last_name',
      'e.first_name',
      'e.birth_date',
      'e.company',
      'e.started_at',
      'e.deadline_at',
      'e.finished_at',
      'e.finish_reason',
      'e.score',
      'e.maximum',
      'e.pass_mark',
      'e.passed',
      'q.rules',
      't.status as token_status',
    ])
    .where('t.code', '=', printedToken.replace(/-/g, ''))
    .executeTakeFirstOrThrow();
}

export interface ExamItem {
  position: number;
  questionId: number;
  statement: string;
  priority: boolean;
  hasImage: boolean;
  /** Answer ids in the order the candidate sees them. */
  order: number[];
  texts: string[];
  /** 1-based index of the right answer in the candidate's order. */
  correctIndex: number;
  chosenAnswerId: number | null;
  dontKnow: boolean;
  /** The stored answer in the candidate's terms: 1-based in their order, 'nsp', or null when unanswered. */
  choice: number | 'nsp' | null;
  flagged: boolean;
  seq: number;
}

/** The frozen draw of an exam, with what the database knows about each answer. */
export async function examItems(db: Room['db'], examId: number): Promise<ExamItem[]> {
  const rows = await db
    .selectFrom('exam_questions as eq')
    .innerJoin('questions as q', 'q.id', 'eq.question_id')
    .select([
      'eq.position',
      'eq.question_id',
      'eq.answer_order',
      'eq.chosen_answer_id',
      'eq.dont_know',
      'eq.flagged',
      'eq.response_seq',
      'q.statement',
      'q.priority',
      'q.image_mime',
    ])
    .where('eq.exam_id', '=', examId)
    .orderBy('eq.position')
    .execute();
  const items: ExamItem[] = [];
  for (const r of rows) {
    const order = JSON.parse(r.answer_order) as number[];
    const answers = await db.selectFrom('answers').select(['id', 'text', 'correct']).where('question_id', '=', r.question_id).execute();
    const byId = new Map(answers.map((a) => [a.id, a]));
    items.push({
      position: r.position,
      questionId: r.question_id,
      statement: r.statement,
      priority: r.priority === 1,
      hasImage: r.image_mime !== null,
      order,
      texts: order.map((id) => byId.get(id)!.text),
      correctIndex: order.findIndex((id) => byId.get(id)!.correct === 1) + 1,
      chosenAnswerId: r.chosen_answer_id,
      dontKnow: r.dont_know === 1,
      choice: r.dont_know === 1 ? 'nsp' : r.chosen_answer_id === null ? null : order.indexOf(r.chosen_answer_id) + 1,
      flagged: r.flagged === 1,
      seq: r.response_seq,
    });
  }
  return items;
}

/** The total the rules give for these stored answers, computed here independently of src/domain/scoring.ts. */
export function expectedScore(items: ExamItem[], rulesJson: string): number {
  const rules = JSON.parse(rulesJson) as ExamRules;
  let total = 0;
  for (const item of items) {
    if (item.choice === null) continue;
    if (item.choice === 'nsp') total += rules.points.dontKnow;
    else if (item.choice === item.correctIndex) total += rules.points.right;
    else total += item.priority ? rules.points.wrongPriority : rules.points.wrong;
  }
  return total;
}
