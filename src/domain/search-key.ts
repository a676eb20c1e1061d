/**
 * Text as a search compares it: accents, case, apostrophes and extra spaces ignored, so that
 * « eloise daout » finds « Éloïse D’Août ». Letters NFD does not take apart are spelt out (œ, æ, ß).
 */
export function searchKey(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/œ/g, 'oe')
    .replace(/æ/g, 'ae')
    .replace(/ß/g, 'ss')
    .replace(/[’'‘`-]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** The key an exam is found by in the centre's results: its candidate's names and company. */
export function candidateSearchKey(candidate: { lastName: string; firstName: string; company: string | null }): string {
  return searchKey(`${candidate.lastName} ${candidate.firstName} ${candidate.company ?? ''}`);
}
