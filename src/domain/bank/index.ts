/**
 * Reading an imported question bank (PRODUCT.md, "Questionnaire import format"), as JSON or as
 * CSV beside a JSON header. An import is all or nothing, so every error is collected — never
 * stopping at the first — each in French with where it is: a field path ('regles.points.bonne'),
 * a question ('question OP-012', or 'question n° 5' when its code is unusable), a CSV line
 * ('ligne 14', the header being line 1), or null for the file as a whole.
 *
 * Strictness is deliberate: unknown fields are errors (a misspelt optional "image" would
 * otherwise vanish silently) and nothing has a default. Text is trimmed and NFC-normalised, so
 * that a theme typed with a decomposed "é" is not a second theme.
 *
 * The parts live in bank/: one reader per format, the header and its rules, the checks on
 * fields and on questions, image decoding, and how errors are reported.
 */
export { CSV_COLUMNS, CSV_OPTIONAL_COLUMNS, parseCsvBank } from './csv-reader.js';
export { MAX_IMAGE_BYTES } from './image.js';
export { MAX_ANSWERS } from './question-checks.js';
export { parseJsonBank } from './json-reader.js';
export type { Bank, BankAnswer, BankError, BankImage, BankQuestion, BankResult, ImageMime } from './model.js';
export { describeBankError } from './report.js';
