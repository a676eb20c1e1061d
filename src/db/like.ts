import { sql, type RawBuilder } from 'kysely';

const literal = (text: string) => text.replace(/[%_\\]/g, (ch) => `\\${ch}`);

/**
 * `column LIKE '%text%'` with % and _ taken literally, as the user typed them. LIKE minds case on
 * PostgreSQL and not on SQLite: for columns stored already folded (search keys) or searched for
 * exact fragments (JSON); otherwise `containsTextAnyCase`.
 */
export function containsText(column: string, text: string): RawBuilder<boolean> {
  return sql<boolean>`${sql.ref(column)} like ${`%${literal(text)}%`} escape '\\'`;
}

/** `containsText` whatever the case, on both databases (names, addresses, e-mails typed by people). */
export function containsTextAnyCase(column: string, text: string): RawBuilder<boolean> {
  return sql<boolean>`lower(${sql.ref(column)}) like lower(${`%${literal(text)}%`}) escape '\\'`;
}

/** `column LIKE 'text%'`, with % and _ of the text taken literally. */
export function startsWithText(column: string, text: string): RawBuilder<boolean> {
  return sql<boolean>`${sql.ref(column)} like ${`${literal(text)}%`} escape '\\'`;
}
