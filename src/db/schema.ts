import type { IdentityProvider, SignInMethod } from '../domain/account-state.js';
import type { Generated, Kysely, Transaction } from 'kysely';
import type { AttestationKind } from '../domain/attestation.js';
import type { FinishReason } from '../domain/exam-clock.js';
import type { SessionStatus } from '../domain/exam-session-rules.js';
import type { Profile } from '../domain/profiles.js';
import type { CentreStatus, QuestionnaireStatus, TokenStatus } from '../domain/statuses.js';

/**
 * The whole schema, one interface per table: every query is checked against it.
 * Times are ISO-8601 UTC strings (Date#toISOString), which sort and compare as text.
 */
export interface Database {
  accounts: AccountsTable;
  recovery_codes: RecoveryCodesTable;
  platform_settings: PlatformSettingsTable;
  centres: CentresTable;
  account_centres: AccountCentresTable;
  http_sessions: HttpSessionsTable;
  audit_log: AuditLogTable;
  sign_in_throttle: SignInThrottleTable;
  periodic_runs: PeriodicRunsTable;
  running_instances: RunningInstancesTable;
  questionnaires: QuestionnairesTable;
  questions: QuestionsTable;
  answers: AnswersTable;
  account_links: AccountLinksTable;
  exam_sessions: ExamSessionsTable;
  token_batches: TokenBatchesTable;
  exam_tokens: ExamTokensTable;
  exams: ExamsTable;
  exam_questions: ExamQuestionsTable;
  centre_stamps: CentreStampsTable;
  attestations: AttestationsTable;
  attestation_print_jobs: AttestationPrintJobsTable;
  terminal_admissions: TerminalAdmissionsTable;
  exam_resumes: ExamResumesTable;
  session_incidents: SessionIncidentsTable;
  exam_pauses: ExamPausesTable;
  account_identities: AccountIdentitiesTable;
  item_statistics: ItemStatisticsTable;
  exam_figures: ExamFiguresTable;
}

export type Role = 'admin' | 'manager';

export interface AccountsTable {
  id: Generated<number>;
  email: string;
  display_name: string;
  role: Role;
  password_hash: string | null;
  disabled_at: string | null;
  created_at: string;
  /** The base32 secret of the account's authenticator app (services/accounts/second-factor.ts), once enrolled. */
  totp_secret: string | null;
  /** Since when sign-in asks for a code; null when the account has no second factor. */
  totp_enabled_at: string | null;
  /** The last time step whose code was accepted: a code works once. */
  totp_last_step: number | null;
  last_sign_in_at: string | null;
  last_sign_in_method: SignInMethod | null;
}

export type { IdentityProvider, SignInMethod };

/** The subject a provider gave the account (the e-mail is the key; this shows a change). */
export interface AccountIdentitiesTable {
  account_id: number;
  provider: IdentityProvider;
  subject: string;
  linked_at: string;
  last_used_at: string;
}

export interface RecoveryCodesTable {
  id: Generated<number>;
  account_id: number;
  /** SHA-256 of the code: a code is shown once, at enrolment, then only checked. */
  code_hash: string;
  created_at: string;
  used_at: string | null;
}

/** The platform's settings, one row (id 1), set by the national administration. */
export interface PlatformSettingsTable {
  id: number;
  /** Tokens a centre may issue per day (Paris time) unless the centre has its own quota. */
  daily_token_quota: number;
  /** Years after the exam's day (Paris) during which candidates' identities are kept (src/domain/retention.ts). */
  identity_retention_years: Generated<number>;
}

export interface CentresTable {
  /** The number behind `centreXXXX`; AUTOINCREMENT so that an ID is never reused. */
  id: Generated<number>;
  name: string;
  address: string;
  siret: string;
  contact_email: string;
  status: CentreStatus;
  suspension_reason: string | null;
  created_at: string;
  /** Below this many available tokens of a questionnaire, the dashboard warns (set by the manager). */
  low_stock_threshold: Generated<number>;
  /** Who signs the attestations (« Je, soussigné(e) … ») and in what capacity; where they are made. */
  representative_name: string | null;
  representative_title: string | null;
  town: string | null;
  phone: string | null;
  /** The stamp and signature printed in the attestation's box, when the manager uploaded one. */
  stamp_id: number | null;
  /** Tokens this centre may issue per day, set by the administration; null: the national default. */
  daily_token_quota: number | null;
}

export interface CentreStampsTable {
  id: Generated<number>;
  centre_id: number;
  mime: 'image/png' | 'image/jpeg';
  data: Buffer;
  created_at: string;
}

export interface AccountCentresTable {
  account_id: number;
  centre_id: number;
}

export interface HttpSessionsTable {
  /** The SHA-256 of the session id (base64url), never the id the cookie carries (plugins/session-store.ts). */
  id: string;
  data: string;
  expires_at: string;
}

export interface AuditLogTable {
  id: Generated<number>;
  at: string;
  actor_account_id: number | null;
  /** Who acted, as shown in the log even after the account changes: an email, "système", "CLI"… */
  actor_label: string;
  action: string;
  target_type: string | null;
  target_id: string | null;
  details: string | null;
  ip: string | null;
}

export interface SignInThrottleTable {
  /** `account:<email>` or `ip:<address>` */
  key: string;
  failures: number;
  window_started_at: string;
  locked_until: string | null;
}

export interface QuestionnairesTable {
  id: Generated<number>;
  profile: Profile;
  version: string;
  title: string;
  /** The ExamRules of src/domain/rules.ts, as JSON: rules are data, stored with each version. */
  rules: string;
  status: QuestionnaireStatus;
  created_at: string;
  published_at: string | null;
  retired_at: string | null;
}

export interface QuestionsTable {
  id: Generated<number>;
  questionnaire_id: number;
  /** Order in the imported bank, for the preview. */
  position: number;
  code: string;
  theme: string;
  priority: 0 | 1;
  statement: string;
  image_mime: string | null;
  image_data: Buffer | null;
  /** The image's text alternative on the kiosk; null without an image, or when the bank gave none. */
  image_description: string | null;
  /** A regulatory reference (« R554-21 »), shown to the administrator only. */
  reference: string | null;
}

export interface AnswersTable {
  id: Generated<number>;
  question_id: number;
  position: number;
  text: string;
  correct: 0 | 1;
}

export interface AccountLinksTable {
  /** SHA-256 of the secret sent to the person: the database never holds a usable link. */
  token_hash: string;
  account_id: number;
  purpose: 'activation' | 'reset';
  created_at: string;
  expires_at: string;
  used_at: string | null;
}

export interface ExamSessionsTable {
  id: Generated<number>;
  centre_id: number;
  /** The session's day in Europe/Paris, `AAAA-MM-JJ`. */
  date: string;
  /** `HH:MM`, Europe/Paris. */
  start_time: string;
  room: string;
  supervisor: string;
  status: SessionStatus;
  opened_at: string | null;
  closed_at: string | null;
  created_at: string;
  /** Canonical (token-code alphabet), shown in the room view; null until the session is first opened. */
  admission_code: string | null;
  admission_code_expires_at: string | null;
}

/** A terminal admitted to an exam session by the supervisor's code (services/exam/admission.ts). */
export interface TerminalAdmissionsTable {
  id: Generated<number>;
  exam_session_id: number;
  /** SHA-256 of the secret the terminal's cookie carries: a copy of the database admits no terminal. */
  secret_hash: string;
  /** What the supervisor called the terminal (« Poste 3 »), if anything. */
  label: string | null;
  ip: string | null;
  user_agent: string | null;
  admitted_at: string;
  /** The end of the session's day: the cookie lasts as long. */
  expires_at: string;
  revoked_at: string | null;
}

/** Each time an exam came back on a terminal after its session there was lost. */
export interface ExamResumesTable {
  id: Generated<number>;
  exam_id: number;
  from_admission_id: number | null;
  to_admission_id: number;
  at: string;
  /** 1 when the supervisor's leave let the exam move to another terminal. */
  allowed: 0 | 1;
}

export interface TokenBatchesTable {
  id: Generated<number>;
  centre_id: number;
  questionnaire_id: number;
  size: number;
  created_at: string;
  /** The email of the manager (or "CLI") who generated the batch. */
  created_by: string;
}

export interface ExamTokensTable {
  id: Generated<number>;
  /** Canonical form (src/domain/token-code.ts): 12 symbols, no separators. */
  code: string;
  batch_id: number;
  centre_id: number;
  questionnaire_id: number;
  status: Generated<TokenStatus>;
  used_at: string | null;
  revoked_at: string | null;
}

export interface ExamsTable {
  id: Generated<number>;
  centre_id: number;
  exam_session_id: number;
  token_id: number;
  questionnaire_id: number;
  last_name: string;
  first_name: string;
  /** `AAAA-MM-JJ` */
  birth_date: string;
  company: string | null;
  /** At least the postcode and town, printed after the company on the attestation. */
  company_address: string | null;
  /** The draw's seed, kept for the audit; the draw itself is stored in exam_questions. */
  seed: string;
  started_at: string;
  extra_minutes: Generated<number>;
  /** Bumped at each resume on another terminal; the session of the previous terminal then holds a stale value. */
  terminal_generation: Generated<number>;
  /** The admitted terminal the exam runs on (null for exams started before admissions existed). */
  admission_id: number | null;
  /** Until then, the exam may be taken over on another terminal of its session (the supervisor allowed it). */
  resume_allowed_until: string | null;
  deadline_at: string;
  finished_at: string | null;
  /** Who finished it: the candidate, or the server at the deadline. */
  finish_reason: FinishReason | null;
  score: number | null;
  maximum: number | null;
  pass_mark: number | null;
  passed: 0 | 1 | null;
  /** The ScoreResult of src/domain/scoring.ts, as JSON. */
  result_detail: string | null;
  /** Names and company folded for search (src/domain/search-key.ts), kept in step with them. */
  search_key: Generated<string>;
  /** Cancelled by its centre: « Annulé » everywhere, no attestation (one issued is cancelled with it). */
  cancelled_at: string | null;
  cancel_reason: string | null;
  /** Paused by the supervisor: no answer is taken and, on resume, the deadline moves by the time paused. */
  paused_at: string | null;
  /** When the identity was replaced by neutral values, its retention period over (services/personal-data.ts). */
  anonymised_at: string | null;
}

export interface ExamQuestionsTable {
  exam_id: number;
  /** 1-based, the order the candidate sees. */
  position: number;
  question_id: number;
  answer_order: string;
  chosen_answer_id: number | null;
  dont_know: Generated<0 | 1>;
  flagged: Generated<0 | 1>;
  /** The candidate's sequence number of the last applied choice: an older request never overwrites a newer one. */
  response_seq: Generated<number>;
  answered_at: string | null;
}

/** The item analysis of one questionnaire version, recomputed in the background (services/item-statistics.ts). */
export interface ItemStatisticsTable {
  questionnaire_id: number;
  computed_at: string;
  /** The finished, not cancelled exams it covers, and the latest end among them. */
  exams_count: number;
  last_finished_at: string | null;
  /** The ItemStatistics[] of src/domain/item-analysis.ts, as JSON. */
  payload: string;
}

/** What happened in a session's room, in order (its page and its report). */
export interface SessionIncidentsTable {
  id: Generated<number>;
  exam_session_id: number;
  /** The candidate's exam it concerns, if one. */
  exam_id: number | null;
  kind: 'note' | 'annulation' | 'pause' | 'reprise';
  text: string;
  at: string;
  actor_label: string;
}

/** One pause of one exam (a room's pause is one per exam); open while ended_at is null. */
export interface ExamPausesTable {
  id: Generated<number>;
  exam_id: number;
  started_at: string;
  /** Resumed, cancelled, or ended with the session's day; null while the exam stands paused. */
  ended_at: string | null;
  reason: string;
}

/** What a feature's query runs on: the database, or the transaction of the change it belongs to. */
/** When each periodic job last started, on any instance (services/periodic.ts). */
export interface PeriodicRunsTable {
  job: string;
  started_at: string;
}

export interface RunningInstancesTable {
  id: string;
  signing_key_id: string;
  /** SHA-256 of the session secret, base64url: compared, never the secret itself. */
  session_secret_digest: string;
  /** The machine's name and the process id, for the operator reading a refusal. */
  host: string;
  started_at: string;
  seen_at: string;
}

export type Queryable = Kysely<Database> | Transaction<Database>;

export interface AttestationsTable {
  exam_id: number;
  /** src/domain/attestation-number.ts; issued when the exam ends, never changed. */
  number: string;
  kind: AttestationKind;
  issued_at: string;
  /** The AttestationFields of src/domain/attestation.ts as first printed (then corrected), as JSON. */
  snapshot: string | null;
  printed_at: string | null;
  corrected_at: string | null;
  cancelled_at: string | null;
  cancel_reason: string | null;
}

export interface AttestationPrintJobsTable {
  /** Random and unguessable: the job's page and its PDF are reached by this id (and the centre). */
  id: string;
  centre_id: number;
  exam_session_id: number;
  kind: AttestationKind;
  requested_by: number | null;
  status: 'running' | 'done' | 'failed';
  done: Generated<number>;
  total: number;
  pdf: Buffer | null;
  error: string | null;
  created_at: string;
  finished_at: string | null;
}

/**
 * Counters per month (Paris, of the exam's start or the batch's creation), centre and questionnaire
 * version, kept in step by the exam and token lifecycles (src/services/exam/figures.ts): the
 * national figures are read from them, never from the exams.
 */
export interface ExamFiguresTable {
  /** `AAAA-MM` */
  month: string;
  centre_id: number;
  questionnaire_id: number;
  /** Scored and not cancelled. */
  finished: number;
  passed: number;
  cancelled: number;
  score_sum: number;
  maximum_sum: number;
  tokens_issued: number;
}
