import { parseTypedDate } from './candidate-identity.js';
import { isProfile, type Profile } from './profiles.js';
import { searchKey } from './search-key.js';
import type { Verdict } from './verdict.js';

/**
 * The filter of a centre's results across its sessions (issue 12), read from the page's URL so that
 * a shared link shows the same list. Each field is optional; a field that cannot be read is set
 * aside with a French message at it, and the list shows what the other fields ask.
 */
export interface ResultsFilter {
  /** First and last Paris day of the exams' start, `AAAA-MM-JJ`, both included. */
  from: string | null;
  to: string | null;
  profile: Profile | null;
  verdict: Verdict | null;
  /** Words to find in the candidate's names or company, folded as searchKey folds them. */
  words: string | null;
  page: number;
}

/** What the URL carries, field by field (the form's names). */
export interface ResultsQuery {
  du?: string;
  au?: string;
  profil?: string;
  resultat?: string;
  recherche?: string;
  page?: string;
}

export const RESULTS_PAGE_SIZE = 50;

/** The URL's words for a result, and back. */
export const VERDICT_PARAMS: Readonly<Record<Verdict, string>> = Object.freeze({
  passed: 'admis',
  failed: 'non-admis',
  cancelled: 'annule',
  running: 'en-cours',
});

const SEARCH_MAX = 100;

function day(raw: string | undefined, what: string): { value: string | null; error?: string } {
  const typed = (raw ?? '').trim();
  if (typed === '') return { value: null };
  const parsed = parseTypedDate(typed);
  return parsed.ok ? { value: parsed.date } : { value: null, error: `Saisissez ${what} au format JJ/MM/AAAA, par exemple 02/03/2026.` };
}

export function readResultsFilter(query: ResultsQuery): { filter: ResultsFilter; errors: Partial<Record<keyof ResultsQuery, string>> } {
  const errors: Partial<Record<keyof ResultsQuery, string>> = {};
  const from = day(query.du, 'la date de début');
  const to = day(query.au, 'la date de fin');
  if (from.error) errors.du = from.error;
  if (to.error) errors.au = to.error;
  if (from.value && to.value && from.value > to.value) errors.au = 'La date de fin doit suivre la date de début.';
  const profile = (query.profil ?? '').trim();
  if (profile !== '' && !isProfile(profile)) errors.profil = 'Choisissez un profil de la liste.';
  const verdictParam = (query.resultat ?? '').trim();
  const verdict = (Object.keys(VERDICT_PARAMS) as Verdict[]).find((v) => VERDICT_PARAMS[v] === verdictParam) ?? null;
  if (verdictParam !== '' && !verdict) errors.resultat = 'Choisissez un résultat de la liste.';
  const text = (query.recherche ?? '').trim();
  if ([...text].length > SEARCH_MAX) errors.recherche = `La recherche ne doit pas dépasser ${SEARCH_MAX} caractères.`;
  const words = errors.recherche ? '' : searchKey(text);
  const page = /^\d{1,6}$/.test((query.page ?? '').trim()) ? Math.max(1, Number(query.page)) : 1;
  return {
    filter: {
      from: from.value,
      to: errors.au === 'La date de fin doit suivre la date de début.' ? null : to.value,
      profile: isProfile(profile) ? profile : null,
      verdict,
      words: words === '' ? null : words,
      page,
    },
    errors,
  };
}

/** The query string of a filter (without its page unless asked), for links that keep it: the URL round trip. */
export function resultsQueryString(query: ResultsQuery, page?: number): string {
  const params = new URLSearchParams();
  for (const key of ['du', 'au', 'profil', 'resultat', 'recherche'] as const) {
    const value = (query[key] ?? '').trim();
    if (value !== '') params.set(key, value);
  }
  if (page !== undefined && page > 1) params.set('page', String(page));
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}

/** The last page of `total` results (1 when there are none), and the page shown: never past it. */
export function pageWithin(requested: number, total: number): { page: number; pages: number } {
  const pages = Math.max(1, Math.ceil(total / RESULTS_PAGE_SIZE));
  return { page: Math.min(Math.max(1, requested), pages), pages };
}

const QUERY_WORDS: Readonly<Record<keyof Omit<ResultsQuery, 'page'>, string>> = Object.freeze({
  du: 'du',
  au: 'au',
  profil: 'profil',
  resultat: 'résultat',
  recherche: 'recherche',
});

/** The filter as the audit log shows it: « du 01/03/2026, recherche dupont », or '' for none. */
export function describeResultsQuery(query: ResultsQuery): string {
  return (Object.keys(QUERY_WORDS) as (keyof typeof QUERY_WORDS)[])
    .filter((key) => (query[key] ?? '').trim() !== '')
    .map((key) => `${QUERY_WORDS[key]} ${(query[key] ?? '').trim()}`)
    .join(', ');
}
