import { formatInteger, plural } from './french.js';
import type { IntegerOutcome } from './whole-number.js';

/**
 * The daily quota of tokens a centre may issue (security review, issue 11): without it, a manager
 * could generate tokens without end and sit exams himself to collect the answer key. The national
 * administration sets a default and, where needed, a centre's own quota. A day is a Paris day.
 */

/** Bounds of a quota, the centre's own or the national default. */
export const DAILY_QUOTA_MIN = 1;
export const DAILY_QUOTA_MAX = 100_000;

/** A centre's day: the quota in effect and the tokens its batches of the day already hold. */
export interface DailyQuota {
  quota: number;
  issuedToday: number;
}

export type QuotaCheck = { ok: true; remaining: number } | { ok: false; remaining: number; message: string };

/** The centre's own quota, or the national default when it has none. */
export function effectiveDailyQuota(centreQuota: number | null, nationalQuota: number): number {
  return centreQuota ?? nationalQuota;
}

/** Tokens the centre may still issue today; 0 once the quota is reached (or was lowered below what was issued). */
export function remainingToday({ quota, issuedToday }: DailyQuota): number {
  return Math.max(0, quota - issuedToday);
}

/** Whether a batch of `count` tokens fits in what is left of the day; `remaining` is what is left after it, or before a refusal. */
export function checkDailyQuota(day: DailyQuota, count: number): QuotaCheck {
  const remaining = remainingToday(day);
  if (count <= remaining) return { ok: true, remaining: remaining - count };
  return { ok: false, remaining, message: overQuotaMessage(day) };
}

const perDay = (quota: number) => `${plural(quota, 'jeton')} par jour`;

/** Why a batch is refused, at the count field: the quota, what was issued today, what is left, whom to ask. */
export function overQuotaMessage(day: DailyQuota): string {
  const remaining = remainingToday(day);
  const issued =
    day.issuedToday === 0
      ? 'aucun n’a encore été généré aujourd’hui'
      : day.issuedToday === 1
        ? '1 a déjà été généré aujourd’hui'
        : `${formatInteger(day.issuedToday)} ont déjà été générés aujourd’hui`;
  const left =
    remaining === 0
      ? 'vous ne pouvez plus en générer avant demain'
      : `vous pouvez en générer ${day.issuedToday === 0 ? '' : 'encore '}${formatInteger(remaining)} au plus`;
  return `Le quota de votre centre est de ${perDay(day.quota)} ; ${issued} : ${left}. Pour un besoin exceptionnel, contactez l’administration nationale.`;
}

/** The hint of the count field: what the centre may still generate today. */
export function quotaHint(day: DailyQuota): string {
  const remaining = remainingToday(day);
  return remaining === 0
    ? `Quota de votre centre : ${perDay(day.quota)}, atteint aujourd’hui ; vous pourrez en générer de nouveau demain.`
    : `Quota de votre centre : ${perDay(day.quota)} ; vous pouvez encore en générer ${formatInteger(remaining)} aujourd’hui.`;
}

/** For the administrator: the centre's tokens of the day against its quota. */
export function quotaUsageText(day: DailyQuota): string {
  const issued = plural(day.issuedToday, 'jeton généré', 'jetons générés');
  return `Aujourd’hui : ${issued} sur un quota de ${perDay(day.quota)}.`;
}

/** Digits, or digits grouped by threes with spaces (« 1 000 », also no-break and narrow no-break spaces). */
const QUOTA_TEXT = /^(?:[0-9]{1,6}|[0-9]{1,3}(?:[ \u00a0\u202f][0-9]{3})+)$/;

function readQuota(text: string): number | null {
  if (!QUOTA_TEXT.test(text)) return null;
  const n = Number(text.replace(/[ \u00a0\u202f]/g, ''));
  return n >= DAILY_QUOTA_MIN && n <= DAILY_QUOTA_MAX ? n : null;
}

const RANGE = `entre ${formatInteger(DAILY_QUOTA_MIN)} et ${formatInteger(DAILY_QUOTA_MAX)}`;

/** The national default, as typed by the administrator: required. */
export function parseNationalDailyQuota(raw: string): IntegerOutcome {
  const text = raw.trim();
  if (text === '') return { ok: false, message: 'Indiquez le quota national par défaut.' };
  const n = readQuota(text);
  if (n === null) return { ok: false, message: `Le quota doit être un nombre entier ${RANGE}.` };
  return { ok: true, value: n };
}

/** A centre's own quota, as typed by the administrator: empty is null, the national default. */
export function parseCentreDailyQuota(raw: string): { ok: true; value: number | null } | { ok: false; message: string } {
  const text = raw.trim();
  if (text === '') return { ok: true, value: null };
  const n = readQuota(text);
  if (n === null) return { ok: false, message: `Le quota doit être un nombre entier ${RANGE}, ou rester vide pour appliquer le quota national.` };
  return { ok: true, value: n };
}
