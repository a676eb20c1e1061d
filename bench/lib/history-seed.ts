/**
 * A national-size history for the results and figures benchmarks (bench/results.ts,
 * bench/figures.ts), written straight into the
 * database: startExam per exam would take hours. Every row is what the app itself writes for a
 * past, finished exam (src/services/exam/lifecycle.ts: startExam, finishExam; issueAttestation),
 * with the app's own domain code wherever a value is derived:
 *
 * - centres recognised one after the other (AUTOINCREMENT ids, `centre0002`…), with a valid SIRET;
 * - per centre, closed sessions on weekdays of the last `years` years (created, opened with an
 *   admission code, closed after their last candidate);
 * - per session, a token batch per profile sat, each token `used` when its exam started; a terminal
 *   admitted per candidate;
 * - per candidate, an identity checked by readIdentity (French names with accents, some in capitals,
 *   companies with « & », « ’ », « É »), search_key from candidateSearchKey, a seed, the draw of the
 *   demo bank (drawExam) answered with a skill of its own and scored by scoreExam (score, maximum,
 *   pass mark, passed, result_detail), finished by the candidate or at the deadline (some with extra
 *   time); its attestation number (admis or échec) issued at its end;
 * - one exam in 500 cancelled by its centre afterwards (src/areas/centre/exams/lifecycle.ts,
 *   cancelExam): its reason, its attestation cancelled with it, the session's incident line;
 * - the national figures' monthly counters (exam_figures, src/services/exam/figures.ts) as the
 *   lifecycles keep them: a batch adds its size to tokens_issued in the Paris month of its creation;
 *   a scored exam adds finished, passed, score and maximum to the Paris month of its start; a
 *   cancelled one takes them back and adds 1 to cancelled. Summed in memory during the seed and
 *   written at its end (one upsert per row), rather than an upsert per event: the same rows, fewer
 *   statements.
 *
 * Rows go in chronological order of the sessions across all centres, as the app would have written
 * them, so that a centre's exams are spread over the table as in production. Left out: the audit
 * rows of these events and the exams' exam_questions (the draw is computed, to score it, but not
 * stored): no page measured here reads them.
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { SqliteDb } from '../../src/db/connection.js';
import { admissionCodeExpiry, generateAdmissionCode } from '../../src/domain/admission-code.js';
import { kindOf } from '../../src/domain/attestation.js';
import { generateAttestationNumber } from '../../src/domain/attestation-number.js';
import { readIdentity, type Identity } from '../../src/domain/candidate-identity.js';
import { drawExam, type DrawableQuestion } from '../../src/domain/draw.js';
import { deadlineFor, type FinishReason } from '../../src/domain/exam-clock.js';
import { addDays, parisDate, parisEndOfDay, parisMonth, parisStartOfDay } from '../../src/domain/paris-time.js';
import type { Profile } from '../../src/domain/profiles.js';
import { parseStoredRules, type ExamRules } from '../../src/domain/rules.js';
import { scoreExam, type Response } from '../../src/domain/scoring.js';
import { candidateSearchKey } from '../../src/domain/search-key.js';
import { createSeededRandom } from '../../src/domain/seeded-random.js';
import { generateTokenCode } from '../../src/domain/token-code.js';
import { getDrawableQuestions } from '../../src/services/exam/questions.js';

export interface HistoryOptions {
  /** Centres in all, the existing one (`bigCentreId`) included. */
  centres: number;
  /** Finished exams in all. */
  exams: number;
  /** Of which in the big centre. */
  bigCentreExams: number;
  /** The existing centre that gets `bigCentreExams` (the demo's centre0001, whose manager signs in). */
  bigCentreId: number;
  years: number;
  /** The seed of the data (names, dates, skills): the same seed gives the same history. */
  seed: string;
}

/** What the benchmark checks the app against: each exam of the big centre as the filter sees it. */
export interface SeededExam {
  id: number;
  startedAt: string;
  profile: Profile;
  passed: boolean;
  cancelled: boolean;
  searchKey: string;
}

export interface SeededHistory {
  centres: number;
  sessions: number;
  batches: number;
  exams: number;
  passed: number;
  cancelled: number;
  delai: number;
  extraTime: number;
  bigCentre: SeededExam[];
  /** The exam_figures rows written (month × centre × questionnaire version). */
  figuresRows: number;
  /** The busiest other centre's exam count, and the median of the others. */
  otherCentres: { max: number; median: number };
  firstDay: string;
  lastDay: string;
  ms: { generate: number; insert: number; checkpoint: number; total: number };
}

// --- Realistic French data ----------------------------------------------------------------------

/** A list written as `a|b|c` (line breaks ignored): one entry per name, without Prettier's one line each. */
const list = (text: string) =>
  text
    .split('|')
    .map((s) => s.trim())
    .filter((s) => s !== '');

// Repeated names come up more often, as in life.
const LAST_NAMES = list(`
Martin|Martin|Martin|Bernard|Bernard|Dubois|Dubois|Thomas|Robert|Richard|Petit|Durand|Durand|Leroy|Moreau|Simon|Laurent|Lefèvre|Lefèvre|
Michel|Garcia|David|Bertrand|Roux|Vincent|Fournier|Morel|Girard|André|Lefèbvre|Mercier|Dupont|Lambert|Bonnet|François|Martinez|Legrand|
Garnier|Faure|Rousseau|Blanc|Guérin|Muller|Henry|Roussel|Nicolas|Perrin|Morin|Mathieu|Clément|Gauthier|Dumont|Lopez|Fontaine|Chevalier|
Robin|Marchand|Marchand|Lemaître|Benoît|Châtelain|Côté|Nguyễn|Da Silva|Dubœuf|Gómez-Durand|N’Diaye|D’Almeida|Le Gall|Müller|Ferré|Bénard|
Séverin|Noël|Lemarchand|Marty|Hébert|Barthélémy|Brûlé|Lacroix|Pérez|Ibáñez|O’Neill|Saint-Just|De La Fontaine|Traoré|Haddad|Benali|Kowalski|
Žukauskas|Łukasik|Ferreira|Gonçalves|Élie|Æbeltoft
`);
const FIRST_NAMES = list(`
Jean|Pierre|Michel|Philippe|Nicolas|Thomas|Julien|Sébastien|Stéphane|Frédéric|Jérôme|François|Éric|Loïc|Kévin|Théo|Hugo|Lucas|Maël|Noé|
Raphaël|Grégoire|Benoît|Aurélien|Mathéo|Jean-François|Marc|Marius|Mohamed|Karim|Yannick|Cédric|Anthony|Jordan|Dylan|Rémi|Gaëtan|Joël|Hervé|
Bruno|Marie|Nathalie|Isabelle|Sophie|Élodie|Chloé|Inès|Anaïs|Maëlle|Hélène|Agnès|Zoé|Léa|Manon|Camille|Amélie|Océane|Clémence|Marine|
Margaux|Marie-Hélène|Anne-Sophie|Fatima|Aïcha|Noémie|Laëtitia
`);
const COMPANIES = list(`
Terrassements Rhône-Alpes SAS|Réseaux & Canalisations du Forez|Électricité Générale Pérès|Travaux Publics Sérignan et Fils|Enedis|GRDF|
Veolia Eau|Suez Eau France|Colas Île-de-France|Eiffage Énergie Systèmes|Vinci Construction Terrassement|Spie Batignolles Génie Civil|
Bouygues Énergies & Services|Sogea Est BTP|Razel-Bec|Orange|SADE|Ineo Réseaux Sud-Ouest|Boucher TP|Martin & Fils|Lefèvre Canalisations|
Les Terrassiers de l’Ouest|Fayat TP|Marchand Assainissement|SARL Bâtir « Les Compagnons »|Régie des Eaux de la Métropole|
Syndicat d’Électricité de la Drôme|Mairie de Saint-Étienne|Commune de Bourg-en-Bresse|Société Nouvelle Guérin TP|ETPR Hauts-de-France|
Réseaux Câblés de l’Est|GTM Normandie-Centre|Aquitaine Forages|Méditerranée Réseaux Énergies|Ambiance Paysages|
Jardins & Espaces Verts Fournier|TP N° 1 : réseaux & fils
`);
const TRADES = ['Terrassements', 'TP', 'Réseaux', 'Canalisations', 'Assainissement', 'Électricité', 'Paysages', 'Forages', 'Génie civil'];
/** Town and postcode. */
const TOWNS = list(`
Saint-Étienne 42000|Besançon 25000|Orléans 45000|Nîmes 30000|Angoulême 16000|Béziers 34500|Sète 34200|Évry-Courcouronnes 91000|
Châlons-en-Champagne 51000|Montélimar 26200|Clermont-Ferrand 63000|Valence 26000|Périgueux 24000|Pontoise 95000|Créteil 94000|Mâcon 71000|
Épinal 88000|Rodez 12000|Troyes 10000|Quimper 29000|Lyon 69007|Marseille 13015|Toulouse 31200|Nantes 44300|Lille 59000|Rennes 35000|
Reims 51100|Le Havre 76600|Grenoble 38000|Dijon 21000|Angers 49000|Brest 29200|Le Mans 72000|Amiens 80000|Limoges 87000|Annecy 74000|
Perpignan 66000|Metz 57000|Nancy 54000|Poitiers 86000|Pau 64000|Bayonne 64100|Ajaccio 20000|Fort-de-France 97200|Saint-Denis 97400|
Vénissieux 69200
`).map((t): [string, string] => [t.slice(0, -6), t.slice(-5)]);
const STREETS = ['rue de l’Église', 'avenue Jean-Jaurès', 'boulevard Gambetta', 'chemin des Prés', 'ZA des Étangs', 'rue Pasteur', 'allée des Sources'];
const ORGANISATIONS = ['AFPA', 'CFA du BTP', 'Institut de formation des travaux publics', 'GRETA', 'Centre de formation', 'Campus des métiers', 'École des TP'];
const ROOMS = ['Salle 1', 'Salle 2', 'Salle A', 'Salle B', 'Salle de formation 3', 'Amphithéâtre', 'Salle Gustave-Eiffel'];
const START_TIMES = ['08:30', '09:00', '09:30', '10:00', '13:30', '14:00', '14:30'];
const CANCEL_REASONS = [
  'Usurpation d’identité constatée par le surveillant',
  'Fraude : téléphone consulté pendant l’épreuve',
  'Incident grave dans la salle : évacuation du bâtiment',
];
const USER_AGENT = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';

type Random = ReturnType<typeof createSeededRandom>;
const unit = (r: Random) => r.nextUint32() / 0x1_0000_0000;
const pick = <T>(r: Random, list: readonly T[]): T => list[r.nextInt(list.length)]!;
const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** 14 digits with a Luhn key over the whole (src/domain/siret.ts). */
function siret(r: Random): string {
  const digits = Array.from({ length: 13 }, () => r.nextInt(10));
  for (let key = 0; key < 10; key++) {
    const all = [...digits, key];
    let sum = 0;
    for (let i = 0; i < all.length; i++) {
      let d = all[all.length - 1 - i]!;
      if (i % 2 === 1) {
        d *= 2;
        if (d > 9) d -= 9;
      }
      sum += d;
    }
    if (sum % 10 === 0) return all.join('');
  }
  throw new Error('unreachable');
}

/** A candidate as typed at the kiosk, checked as the kiosk checks it. */
function identity(r: Random, today: string): Identity {
  const last = pick(r, LAST_NAMES);
  const first = r.nextInt(12) === 0 ? `${pick(r, FIRST_NAMES)} ${pick(r, FIRST_NAMES)}` : pick(r, FIRST_NAMES);
  const birth = `${1958 + r.nextInt(48)}-${pad(1 + r.nextInt(12))}-${pad(1 + r.nextInt(28))}`;
  const roll = r.nextInt(10);
  const company = roll < 2 ? '' : roll < 5 ? `${pick(r, TRADES)} ${pick(r, LAST_NAMES)}` : pick(r, COMPANIES);
  const [town, postcode] = pick(r, TOWNS);
  const address = company && r.nextInt(3) > 0 ? (r.nextInt(2) ? `${1 + r.nextInt(120)} ${pick(r, STREETS)}, ${postcode} ${town}` : `${postcode} ${town}`) : '';
  const read = readIdentity(
    {
      nom: r.nextInt(4) === 0 ? last.toLocaleUpperCase('fr-FR') : last,
      prenom: first,
      date_naissance: r.nextInt(2) ? birth : birth.split('-').reverse().join('/'),
      entreprise: company,
      adresse_entreprise: address,
    },
    today,
  );
  if (!read.ok) throw new Error(`seed identity refused: ${JSON.stringify(read.errors)} for ${JSON.stringify(read.values)}`);
  return read.identity;
}

/** Positive weights around 1 (log-normal): centres of very different sizes. */
function logNormal(r: Random, sigma: number): number {
  const u = Math.max(unit(r), 1e-12);
  const v = unit(r);
  return Math.exp(sigma * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v));
}

/** `total` split in `parts` integer shares in proportion to `weights`, none below 1 (largest remainder). */
function apportion(total: number, weights: number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  const spare = total - weights.length;
  const ideal = weights.map((w) => (w / sum) * spare);
  const shares = ideal.map((x) => Math.floor(x));
  let left = spare - shares.reduce((a, b) => a + b, 0);
  const order = ideal.map((x, i) => ({ i, rest: x - Math.floor(x) })).sort((a, b) => b.rest - a.rest);
  for (const { i } of order) {
    if (left-- <= 0) break;
    shares[i]!++;
  }
  return shares.map((s) => s + 1);
}

/** A weekday of the last `days` days before `today` (Paris dates). */
function pastWeekday(r: Random, today: string, days: number): string {
  let date = addDays(today, -(1 + r.nextInt(days)));
  const weekday = new Date(`${date}T12:00:00Z`).getUTCDay();
  if (weekday === 6) date = addDays(date, -1);
  if (weekday === 0) date = addDays(date, -2);
  return date;
}

interface Bank {
  id: number;
  profile: Profile;
  rules: ExamRules;
  questions: DrawableQuestion[];
  byId: Map<number, DrawableQuestion>;
}

/** One exam_figures row, as src/services/exam/figures.ts adds to it. */
interface Counters {
  month: string;
  centreId: number;
  questionnaireId: number;
  finished: number;
  passed: number;
  cancelled: number;
  scoreSum: number;
  maximumSum: number;
  tokensIssued: number;
}

interface PlannedSession {
  centreId: number;
  date: string;
  startTime: string;
  start: number;
  size: number;
}

/** Writes the history; the demo's centre, questionnaires and accounts must already be there. */
export async function seedHistory(db: SqliteDb, now: Date, options: HistoryOptions): Promise<SeededHistory> {
  const t0 = performance.now();
  const r = createSeededRandom(options.seed);
  const today = parisDate(now);
  const days = Math.round(options.years * 365.25);
  const sqlite = db.sqlite;

  // The published bank of each profile, as the draw sees it.
  const published = await db.kysely.selectFrom('questionnaires').select(['id', 'profile', 'rules']).where('status', '=', 'published').execute();
  const banks = new Map<Profile, Bank>();
  for (const q of published) {
    const questions = await getDrawableQuestions(db.kysely, q.id);
    banks.set(q.profile, { id: q.id, profile: q.profile, rules: parseStoredRules(q.rules), questions, byId: new Map(questions.map((x) => [x.id, x])) });
  }
  const profileOf = (): Bank => {
    const roll = r.nextInt(100);
    const profile: Profile = roll < 60 ? 'operateur' : roll < 90 ? 'encadrant' : 'concepteur';
    const bank = banks.get(profile);
    if (!bank) throw new Error(`no published questionnaire for ${profile}`);
    return bank;
  };

  // 1. The centres, recognised over the years before the history starts.
  const insertCentre = sqlite.prepare(
    `insert into centres (name, address, siret, contact_email, status, created_at, representative_name, representative_title, town, phone)
     values (?, ?, ?, ?, 'active', ?, ?, ?, ?, ?)`,
  );
  const centreIds: number[] = [];
  sqlite.transaction(() => {
    for (let i = 0; i < options.centres - 1; i++) {
      const [town, postcode] = pick(r, TOWNS);
      const created = new Date(parisStartOfDay(addDays(today, -days - 30 - r.nextInt(900))).getTime() + (9 + r.nextInt(8)) * 3_600_000).toISOString();
      const name = `${pick(r, ORGANISATIONS)} ${town}${r.nextInt(3) === 0 ? ` — site ${2 + r.nextInt(5)}` : ''}`;
      const info = insertCentre.run(
        name,
        `${1 + r.nextInt(150)} ${pick(r, STREETS)}, ${postcode} ${town}`,
        siret(r),
        `examens-aipr-${i + 2}@centres-formation.fr`,
        created,
        `${pick(r, FIRST_NAMES)} ${pick(r, LAST_NAMES)}`,
        'Responsable du centre d’examen',
        town,
        `0${1 + r.nextInt(5)} ${pad(r.nextInt(100))} ${pad(r.nextInt(100))} ${pad(r.nextInt(100))} ${pad(r.nextInt(100))}`,
      );
      centreIds.push(Number(info.lastInsertRowid));
    }
  })();

  // 2. Each centre's exam count and sessions, then every session of every centre in time order.
  const counts = apportion(
    options.exams - options.bigCentreExams,
    centreIds.map(() => logNormal(r, 0.9)),
  );
  const plans: PlannedSession[] = [];
  const plan = (centreId: number, exams: number, min: number, max: number) => {
    let left = exams;
    while (left > 0) {
      const size = Math.min(left, min + r.nextInt(max - min + 1));
      left -= size;
      const date = pastWeekday(r, today, days);
      const startTime = pick(r, START_TIMES);
      const [h, m] = startTime.split(':').map(Number) as [number, number];
      plans.push({ centreId, date, startTime, start: parisStartOfDay(date).getTime() + (h * 60 + m) * 60_000, size });
    }
  };
  plan(options.bigCentreId, options.bigCentreExams, 8, 20);
  centreIds.forEach((id, i) => plan(id, counts[i]!, 3, 14));
  plans.sort((a, b) => a.start - b.start || a.centreId - b.centreId);

  const insertSession = sqlite.prepare(
    `insert into exam_sessions (centre_id, date, start_time, room, supervisor, status, opened_at, closed_at, created_at, admission_code, admission_code_expires_at)
     values (?, ?, ?, ?, ?, 'closed', ?, ?, ?, ?, ?)`,
  );
  const insertBatch = sqlite.prepare(`insert into token_batches (centre_id, questionnaire_id, size, created_at, created_by) values (?, ?, ?, ?, ?)`);
  const insertToken = sqlite.prepare(
    `insert into exam_tokens (code, batch_id, centre_id, questionnaire_id, status, used_at, revoked_at) values (?, ?, ?, ?, 'used', ?, null)`,
  );
  const insertAdmission = sqlite.prepare(
    `insert into terminal_admissions (exam_session_id, secret_hash, label, ip, user_agent, admitted_at, expires_at, revoked_at) values (?, ?, ?, ?, ?, ?, ?, null)`,
  );
  const insertExam = sqlite.prepare(
    `insert into exams (centre_id, exam_session_id, token_id, questionnaire_id, last_name, first_name, birth_date, company, company_address, seed,
       started_at, extra_minutes, terminal_generation, admission_id, resume_allowed_until, deadline_at, finished_at, finish_reason,
       score, maximum, pass_mark, passed, result_detail, search_key, cancelled_at, cancel_reason)
     values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, null, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertAttestation = sqlite.prepare(
    `insert into attestations (exam_id, number, kind, issued_at, cancelled_at, cancel_reason) values (?, ?, ?, ?, ?, ?)`,
  );
  const insertIncident = sqlite.prepare(
    `insert into session_incidents (exam_session_id, exam_id, kind, text, at, actor_label) values (?, ?, 'annulation', ?, ?, ?)`,
  );
  const setClosed = sqlite.prepare(`update exam_sessions set closed_at = ? where id = ?`);
  // Adding, as the app does: rows the demo seed may have counted stay counted.
  const upsertFigures = sqlite.prepare(
    `insert into exam_figures (month, centre_id, questionnaire_id, finished, passed, cancelled, score_sum, maximum_sum, tokens_issued)
     values (?, ?, ?, ?, ?, ?, ?, ?, ?)
     on conflict (month, centre_id, questionnaire_id) do update set
       finished = finished + excluded.finished, passed = passed + excluded.passed, cancelled = cancelled + excluded.cancelled,
       score_sum = score_sum + excluded.score_sum, maximum_sum = maximum_sum + excluded.maximum_sum,
       tokens_issued = tokens_issued + excluded.tokens_issued`,
  );
  const figures = new Map<string, Counters>();
  const countersOf = (at: number, centreId: number, questionnaireId: number): Counters => {
    const month = parisMonth(new Date(at));
    const key = `${month}|${centreId}|${questionnaireId}`;
    let row = figures.get(key);
    if (!row) {
      row = { month, centreId, questionnaireId, finished: 0, passed: 0, cancelled: 0, scoreSum: 0, maximumSum: 0, tokensIssued: 0 };
      figures.set(key, row);
    }
    return row;
  };

  const tokenCodes = new Set<string>();
  const attestationNumbers = new Set<string>();
  const bigCentre: SeededExam[] = [];
  const iso = (ms: number) => new Date(ms).toISOString();
  let generateMs = 0;
  let exams = 0;
  let passed = 0;
  let cancelled = 0;
  let delai = 0;
  let extraTime = 0;
  let batches = 0;

  const writeSession = (p: PlannedSession) => {
    const g0 = performance.now();
    const openedAt = p.start - (5 + r.nextInt(25)) * 60_000 - r.nextInt(60_000);
    const createdAt = parisStartOfDay(addDays(p.date, -(1 + r.nextInt(30)))).getTime() + (8 + r.nextInt(10)) * 3_600_000 + r.nextInt(3_600_000);
    const candidates = Array.from({ length: p.size }, () => ({ bank: profileOf(), who: identity(r, p.date) }));
    generateMs += performance.now() - g0;

    const session = Number(
      insertSession.run(
        p.centreId,
        p.date,
        p.startTime,
        pick(r, ROOMS),
        `${pick(r, FIRST_NAMES)} ${pick(r, LAST_NAMES)}`,
        iso(openedAt),
        iso(p.start + 3 * 3_600_000),
        iso(createdAt),
        generateAdmissionCode(),
        admissionCodeExpiry(new Date(openedAt)).toISOString(),
      ).lastInsertRowid,
    );
    // A batch per profile sat in the session, generated the day it was planned.
    const batchOf = new Map<Profile, number>();
    for (const c of candidates) {
      if (batchOf.has(c.bank.profile)) continue;
      const size = candidates.filter((x) => x.bank.profile === c.bank.profile).length;
      batchOf.set(
        c.bank.profile,
        Number(insertBatch.run(p.centreId, c.bank.id, size, iso(createdAt + 60_000), `gestion-${p.centreId}@centres-formation.fr`).lastInsertRowid),
      );
      countersOf(createdAt + 60_000, p.centreId, c.bank.id).tokensIssued += size;
      batches++;
    }

    let lastEnd = p.start;
    candidates.forEach((c, k) => {
      const g1 = performance.now();
      const { rules, byId } = c.bank;
      const startedAt = p.start + k * 40_000 + r.nextInt(8 * 60_000);
      const extra = r.nextInt(40) === 0 ? 10 * (1 + r.nextInt(3)) : 0;
      const deadline = deadlineFor(new Date(startedAt), rules.durationMinutes, extra).getTime();
      const timedOut = r.nextInt(12) === 0;
      const finishedAt = timedOut ? deadline : startedAt + Math.round((0.35 + 0.6 * unit(r)) * (deadline - startedAt));
      const reason: FinishReason = timedOut ? 'delai' : 'candidat';
      const seed = randomBytes(16).toString('hex');
      const skill = 0.62 + 0.38 * Math.sqrt(unit(r));
      const result = scoreExam(
        drawExam(c.bank.questions, rules, seed).map((d) => {
          const q = byId.get(d.questionId)!;
          const roll = unit(r);
          const response: Response =
            roll < (timedOut ? 0.15 : 0.01) ? { kind: 'unanswered' } : roll < 0.06 ? { kind: 'dontKnow' } : { kind: 'answer', correct: unit(r) < skill };
          return { theme: q.theme, priority: q.priority, response };
        }),
        rules,
      );
      let code = generateTokenCode();
      while (tokenCodes.has(code)) code = generateTokenCode();
      tokenCodes.add(code);
      const year = Number(p.date.slice(0, 4));
      let number = generateAttestationNumber(year);
      while (attestationNumbers.has(number)) number = generateAttestationNumber(year);
      attestationNumbers.add(number);
      const searchKey = candidateSearchKey(c.who);
      const cancel = r.nextInt(500) === 0 ? { at: iso(finishedAt + (10 + r.nextInt(3 * 24 * 60)) * 60_000), reason: pick(r, CANCEL_REASONS) } : null;
      generateMs += performance.now() - g1;

      const token = Number(insertToken.run(code, batchOf.get(c.bank.profile)!, p.centreId, c.bank.id, iso(startedAt)).lastInsertRowid);
      const admission = Number(
        insertAdmission.run(
          session,
          randomBytes(32).toString('base64url'),
          `Poste ${k + 1}`,
          `192.168.${p.centreId % 250}.${10 + k}`,
          USER_AGENT,
          iso(openedAt + 60_000 + k * 20_000),
          parisEndOfDay(p.date).toISOString(),
        ).lastInsertRowid,
      );
      const exam = Number(
        insertExam.run(
          p.centreId,
          session,
          token,
          c.bank.id,
          c.who.lastName,
          c.who.firstName,
          c.who.birthDate,
          c.who.company,
          c.who.companyAddress,
          seed,
          iso(startedAt),
          extra,
          admission,
          iso(deadline),
          iso(finishedAt),
          reason,
          result.total,
          result.maximum,
          result.passMark,
          result.passed ? 1 : 0,
          JSON.stringify(result),
          searchKey,
          cancel?.at ?? null,
          cancel?.reason ?? null,
        ).lastInsertRowid,
      );
      insertAttestation.run(exam, number, kindOf(result.passed), iso(finishedAt), cancel?.at ?? null, cancel?.reason ?? null);
      // countScoredExam at its end, then countCancelledExam (scored: its counts taken back).
      const counters = countersOf(startedAt, p.centreId, c.bank.id);
      const sign = cancel ? 0 : 1;
      counters.finished += sign;
      counters.passed += result.passed ? sign : 0;
      counters.scoreSum += sign * result.total;
      counters.maximumSum += sign * result.maximum;
      if (cancel) {
        insertIncident.run(session, exam, cancel.reason, cancel.at, `gestion-${p.centreId}@centres-formation.fr`);
        counters.cancelled++;
        cancelled++;
      }
      exams++;
      if (result.passed) passed++;
      if (timedOut) delai++;
      if (extra > 0) extraTime++;
      lastEnd = Math.max(lastEnd, finishedAt);
      if (p.centreId === options.bigCentreId)
        bigCentre.push({ id: exam, startedAt: iso(startedAt), profile: c.bank.profile, passed: result.passed, cancelled: cancel !== null, searchKey });
    });
    setClosed.run(iso(lastEnd + (5 + r.nextInt(25)) * 60_000), session);
  };

  const i0 = performance.now();
  const CHUNK = 250;
  for (let start = 0; start < plans.length; start += CHUNK) {
    sqlite.transaction(() => {
      for (const p of plans.slice(start, start + CHUNK)) writeSession(p);
    })();
  }
  sqlite.transaction(() => {
    for (const f of figures.values())
      upsertFigures.run(f.month, f.centreId, f.questionnaireId, f.finished, f.passed, f.cancelled, f.scoreSum, f.maximumSum, f.tokensIssued);
  })();
  const insertMs = performance.now() - i0 - generateMs;
  const c0 = performance.now();
  sqlite.pragma('wal_checkpoint(TRUNCATE)');
  const checkpointMs = performance.now() - c0;

  const others = [...counts].sort((a, b) => a - b);
  return {
    centres: options.centres,
    sessions: plans.length,
    batches,
    exams,
    passed,
    cancelled,
    delai,
    extraTime,
    bigCentre,
    figuresRows: figures.size,
    otherCentres: { max: others.at(-1) ?? 0, median: others[Math.floor(others.length / 2)] ?? 0 },
    firstDay: plans[0]?.date ?? today,
    lastDay: plans.at(-1)?.date ?? today,
    ms: { generate: generateMs, insert: insertMs, checkpoint: checkpointMs, total: performance.now() - t0 },
  };
}
