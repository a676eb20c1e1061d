/**
 * Which published questionnaires a centre's « Stock de jetons bas » names. Publishing a new version
 * must not warn every centre that it has none of it yet: per profile, only the version the centre
 * currently uses — the newest one it has tokens of — can run low; older versions it moved away from
 * are left to be used up in silence. When that version is not the profile's newest, the warning
 * says which one to prefer for new tokens.
 */
export interface StockLine {
  id: number;
  profile: string;
  version: string;
  available: number;
  used: number;
  revoked: number;
}

export interface StockStanding {
  low: boolean;
  /** The profile's newest published version, when the centre's current one is older; else null. */
  preferVersion: string | null;
}

/** `stock` lists each profile's published versions newest first, as tokenStockByQuestionnaire orders them. */
export function stockStanding<T extends StockLine>(stock: readonly T[], threshold: number): Array<T & StockStanding> {
  const newest = new Map<string, T>();
  const current = new Map<string, T>();
  for (const line of stock) {
    if (!newest.has(line.profile)) newest.set(line.profile, line);
    if (!current.has(line.profile) && line.available + line.used + line.revoked > 0) current.set(line.profile, line);
  }
  return stock.map((line) => {
    const inUse = current.get(line.profile)?.id === line.id;
    const latest = newest.get(line.profile)!;
    return { ...line, low: inUse && line.available < threshold, preferVersion: inUse && latest.id !== line.id ? latest.version : null };
  });
}
