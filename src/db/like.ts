import { sql, type RawBuilder } from 'kysely';

const literal = (text: string) => text.replace(/[%_\\]/g, (ch) => `\\${ch}`);

/** `column LIKE '%text%'` with % and _ taken literally, as the user typed them. */
export function containsText(column: string, text: string): RawBuilder<boolean> {
  return sql<boolean>`${sql.ref(column)} like ${`%${literal(text)}%`} escape '\\'`;
}

/** `column LIKE 'text%'`, with % and _ of the text taken literally. */
export function startsWithText(column: string, text: string): RawBuilder<boolean> {
  return sql<boolean>`${sql.ref(column)} like ${`${literal(text)}%`} escape '\\'`;
}
