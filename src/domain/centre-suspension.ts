/** What a manager reads when a suspended centre is refused something: what is refused, and why. */
export function suspendedCentreMessage(refused: string, reason: string | null): string {
  return `Ce centre est suspendu : ${refused}. Motif de la suspension : ${reason?.trim() || 'non précisé'}.`;
}
