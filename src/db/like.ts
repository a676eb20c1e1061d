import { sql, type RawBuilder } from 'kysely';

/** `column LIKE '%text%'` with % and _ taken literally, as the user typed them. */
export function containsText(column: string, text: string): RawBuilder<boolean> {
  const pattern = `%${text.replace(/[%_\\]/g, (ch) => `\\${ch}`)}%`;
  return sql<boolean>`${sql.ref(column)} like ${pattern} escape '\\'`;
}
