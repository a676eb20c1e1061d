/**
 * The states a stored centre, questionnaire or token can be in, and how a person reads them. The
 * database schema takes its column types from here (exam sessions' states live with their rules,
 * in exam-session-rules.ts).
 */

export type CentreStatus = 'active' | 'suspended';

export type QuestionnaireStatus = 'draft' | 'published' | 'retired';

export const QUESTIONNAIRE_STATUS_LABELS: Readonly<Record<QuestionnaireStatus, string>> = Object.freeze({
  draft: 'Brouillon',
  published: 'Publiée',
  retired: 'Retirée',
});

export type TokenStatus = 'available' | 'used' | 'revoked';

export const TOKEN_STATUS_LABELS: Readonly<Record<TokenStatus, string>> = Object.freeze({
  available: 'Disponible',
  used: 'Utilisé',
  revoked: 'Révoqué',
});
