import { closingSentence } from './french.js';
/**
 * What every page of a suspended centre says (its manager's area): what stops, what carries on —
 * an exam already started keeps its terminal, its answers and its end; a terminal that restarts
 * cannot take it back, since resuming needs an active centre.
 */
export function suspensionNotice(reason: string | null): string {
  return `Ce centre est suspendu par l’administration nationale. Motif : ${closingSentence(reason?.trim() || 'non précisé')} Tant que la suspension dure, aucun jeton ne peut être généré, aucune session créée ni ouverte, et aucun examen ne peut commencer, ni reprendre après le redémarrage d’un poste ; les examens déjà commencés se poursuivent jusqu’à leur fin.`;
}

/** What a manager reads when a suspended centre is refused something: what is refused, and why. */
export function suspendedCentreMessage(refused: string, reason: string | null): string {
  return `Ce centre est suspendu : ${refused}. Motif de la suspension : ${closingSentence(reason?.trim() || 'non précisé')}`;
}
