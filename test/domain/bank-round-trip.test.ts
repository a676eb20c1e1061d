import assert from 'node:assert/strict';
import t from 'tap';
import fc from 'fast-check';
import {
  CSV_COLUMNS,
  CSV_OPTIONAL_COLUMNS,
  describeBankError,
  parseCsvBank,
  parseJsonBank,
  type Bank,
  type BankImage,
  type BankQuestion,
  type BankResult,
} from '../../src/domain/bank/index.js';
import { PROFILES } from '../../src/domain/profiles.js';
import type { ExamRules } from '../../src/domain/rules.js';

/**
 * Any valid bank, written as an author would (spaces around texts, decomposed accents, `;`,
 * quotes and line breaks inside texts), must read back, from JSON and from CSV, as the bank the
 * generator meant: texts trimmed and NFC-normalised, nothing else changed.
 */

// ——— Texts ———————————————————————————————————————————————————————————————————————

/** A text as the readers keep it. */
const kept = (raw: string) => raw.normalize('NFC').trim();
const codePoints = (s: string) => [...s].length;

/** Pieces chosen to trouble a CSV or JSON writer, a trimmer or a normaliser. */
const PIECES = [
  ...['a', 'Z', '7', ' ', '  ', '\t', '\u00a0', 'é', 'e\u0301', 'Œ', 'ß', '’', '« ', ' »', '€', '🚧'],
  ...[';', '";"', '"', '""', "'", ',', '\n', '\r\n', '\r', '\u2028', '\uFEFF', '\u0301', '\\', '\\n'],
  ...['{', '}', '[', ']', ':', '#', '%', '%2e'],
  ...['=SOMME(A1)', '+', '-', '@', 'oui', 'null', 'true', '1'],
];

/** A text that stays non-empty and within `max` code points once read. */
function textArb(max: number): fc.Arbitrary<string> {
  const pieces = fc.array(fc.oneof(fc.constantFrom(...PIECES), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 3 })), { minLength: 1, maxLength: 10 });
  const ordinary = pieces.map((p) => p.join(''));
  // The longest text allowed, counted in code points (an emoji is one, though two UTF-16 units).
  const longest = fc.tuple(fc.constantFrom('a', 'é', 'e\u0301', '🚧'), fc.constantFrom('', ' ', '\n  ')).map(([c, around]) => around + c.repeat(max) + around);
  // U+FFFD is left out: the CSV reader takes it for the mark of a file not in UTF-8.
  return fc
    .oneof({ arbitrary: ordinary, weight: 9 }, { arbitrary: longest, weight: 1 })
    .filter((s) => !s.includes('\uFFFD') && kept(s) !== '' && codePoints(kept(s)) <= max);
}

const codeArb = fc
  .tuple(fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$/), fc.constantFrom('', ' ', '  '))
  .map(([code, around]) => ({ raw: around + code + around, code }));

/** Few enough themes that several questions share one, with an arbitrary one now and then. */
const themeArb = fc.oneof(fc.constantFrom('Réglementation', ' Re\u0301glementation ', 'Réseaux'), textArb(120));

// ——— Images (JSON only: the CSV form has no image column) ————————————————————————————

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

interface ImageCase {
  uri: string;
  image: BankImage;
}

const bytesArb = fc.uint8Array({ maxLength: 40 });
const base64Arb = (data: Buffer) => fc.constantFrom(data.toString('base64'), data.toString('base64').replace(/(.{8})/g, '$1\n '));

const imageArb: fc.Arbitrary<ImageCase> = fc.oneof(
  fc.tuple(bytesArb, fc.constantFrom('image/png', 'IMAGE/PNG')).chain(([tail, declared]) => {
    const data = Buffer.from([...PNG_SIGNATURE, ...tail]);
    return base64Arb(data).map((b64): ImageCase => ({ uri: `data:${declared};base64,${b64}`, image: { mime: 'image/png', data } }));
  }),
  fc.tuple(bytesArb, fc.constantFrom('image/jpeg', 'image/jpg', 'Image/JPEG')).chain(([tail, declared]) => {
    const data = Buffer.from([0xff, 0xd8, 0xff, ...tail]);
    return base64Arb(data).map((b64): ImageCase => ({ uri: `data:${declared};base64,${b64}`, image: { mime: 'image/jpeg', data } }));
  }),
  fc.tuple(fc.string({ unit: 'grapheme', maxLength: 20 }), fc.boolean()).map(([title, asBase64]): ImageCase => {
    const data = Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg"><title>${title}</title></svg>`);
    const uri = asBase64
      ? `data:image/svg+xml;base64,${data.toString('base64')}`
      : `data:image/svg+xml;charset=utf-8,${encodeURIComponent(data.toString('utf8'))}`;
    return { uri, image: { mime: 'image/svg+xml', data } };
  }),
);

// ——— Banks —————————————————————————————————————————————————————————————————————————

/** A question as generated: the texts an author typed, and the question they must read as. */
interface QuestionCase {
  rawCode: string;
  rawTheme: string;
  rawStatement: string;
  rawAnswers: string[];
  imageUri: string | null;
  /** Only beside an image: the readers refuse a description of nothing. */
  rawImageDescription: string | null;
  rawReference: string | null;
  question: BankQuestion;
}

const questionArb: fc.Arbitrary<QuestionCase> = fc
  .record({
    code: codeArb,
    theme: themeArb,
    priority: fc.boolean(),
    statement: textArb(2000),
    answers: fc.uniqueArray(textArb(500), {
      minLength: 2,
      maxLength: 4,
      // The readers refuse answers that differ only by case.
      selector: (a) => kept(a).toLocaleLowerCase('fr'),
    }),
    image: fc.option(imageArb),
    imageDescription: fc.option(textArb(300)),
    reference: fc.option(textArb(60)),
  })
  .chain((q) => {
    const rawImageDescription = q.image === null ? null : q.imageDescription;
    return fc.nat({ max: q.answers.length - 1 }).map((correctIndex): QuestionCase => ({
      rawCode: q.code.raw,
      rawTheme: q.theme,
      rawStatement: q.statement,
      rawAnswers: q.answers,
      imageUri: q.image?.uri ?? null,
      rawImageDescription,
      rawReference: q.reference,
      question: {
        code: q.code.code,
        theme: kept(q.theme),
        priority: q.priority,
        statement: kept(q.statement),
        image: q.image?.image ?? null,
        imageDescription: rawImageDescription === null ? null : kept(rawImageDescription),
        reference: q.reference === null ? null : kept(q.reference),
        answers: q.answers.map((a, i) => ({ text: kept(a), correct: i === correctIndex })),
      },
    }));
  });

/** Rules these questions can satisfy: enough priority and other questions for each exam. */
function rulesArb(questions: readonly QuestionCase[]): fc.Arbitrary<ExamRules> {
  const priorityHeld = questions.filter((q) => q.question.priority).length;
  const otherHeld = questions.length - priorityHeld;
  return fc
    .record({
      priorityCount: fc.integer({ min: 0, max: priorityHeld }),
      otherCount: fc.integer({ min: 0, max: otherHeld }),
      durationMinutes: fc.integer({ min: 1, max: 600 }),
      passPercentage: fc.integer({ min: 1, max: 100 }),
      right: fc.integer({ min: 1, max: 100 }),
    })
    .filter((r) => r.priorityCount + r.otherCount >= 1)
    .chain(({ priorityCount, otherCount, right, ...rest }) =>
      fc
        .record({
          dontKnow: fc.integer({ min: -100, max: right - 1 }),
          wrong: fc.integer({ min: -100, max: right - 1 }),
          wrongPriority: fc.integer({ min: -100, max: right - 1 }),
        })
        .map((others) => ({
          questionCount: priorityCount + otherCount,
          priorityCount,
          ...rest,
          points: { right, ...others },
        })),
    );
}

interface BankCase {
  rawVersion: string;
  rawTitle: string;
  questions: QuestionCase[];
  bank: Bank;
}

const bankArb: fc.Arbitrary<BankCase> = fc
  .record({
    profile: fc.constantFrom(...PROFILES),
    version: textArb(32),
    title: textArb(200),
    questions: fc.uniqueArray(questionArb, {
      minLength: 1,
      maxLength: 12,
      selector: (q) => q.question.code.toLowerCase(),
    }),
  })
  .chain((b) =>
    rulesArb(b.questions).map((rules): BankCase => ({
      rawVersion: b.version,
      rawTitle: b.title,
      questions: b.questions,
      bank: {
        profile: b.profile,
        version: kept(b.version),
        title: kept(b.title),
        rules,
        questions: b.questions.map((q) => q.question),
      },
    })),
  );

// ——— Writers ————————————————————————————————————————————————————————————————————————

/** How a file happens to be written: none of it may change what is read. */
interface Layout {
  bom: boolean;
  indent: '' | '  ' | '\t';
  newline: '\n' | '\r\n';
  quoteAll: boolean;
  blankLines: boolean;
  /** The optional CSV columns the file has, in its order. */
  optionalColumns: (typeof CSV_OPTIONAL_COLUMNS)[number][];
}

const layoutArb: fc.Arbitrary<Layout> = fc.record({
  bom: fc.boolean(),
  indent: fc.constantFrom('', '  ', '\t'),
  newline: fc.constantFrom('\n', '\r\n'),
  quoteAll: fc.boolean(),
  blankLines: fc.boolean(),
  optionalColumns: fc.subarray([...CSV_OPTIONAL_COLUMNS]).chain((columns) => fc.shuffledSubarray(columns, { minLength: columns.length })),
});

function jsonHeader(c: BankCase): Record<string, unknown> {
  const { rules } = c.bank;
  return {
    profil: c.bank.profile,
    version: c.rawVersion,
    titre: c.rawTitle,
    regles: {
      nombre_questions: rules.questionCount,
      questions_prioritaires: rules.priorityCount,
      duree_minutes: rules.durationMinutes,
      seuil_pourcentage: rules.passPercentage,
      points: {
        bonne: rules.points.right,
        ne_sait_pas: rules.points.dontKnow,
        fausse: rules.points.wrong,
        fausse_prioritaire: rules.points.wrongPriority,
      },
    },
  };
}

function toJson(c: BankCase, layout: Layout): string {
  const questions = c.questions.map((q) => ({
    code: q.rawCode,
    theme: q.rawTheme,
    prioritaire: q.question.priority,
    enonce: q.rawStatement,
    ...(q.imageUri === null ? {} : { image: q.imageUri }),
    ...(q.rawImageDescription === null ? {} : { description_image: q.rawImageDescription }),
    ...(q.rawReference === null ? {} : { reference: q.rawReference }),
    reponses: q.rawAnswers.map((texte, i) => ({ texte, correcte: q.question.answers[i]?.correct })),
  }));
  return (layout.bom ? '\uFEFF' : '') + JSON.stringify({ ...jsonHeader(c), questions }, null, layout.indent);
}

/** Quoted when it must be (or always): inner quotes doubled, as Excel writes them. */
function csvCell(text: string, quoteAll: boolean): string {
  return quoteAll || /[";\r\n]|^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function toCsv(c: BankCase, layout: Layout): { csv: string; header: string } {
  const rows = c.questions.map((q) => {
    const answers = [0, 1, 2, 3].map((i) => q.rawAnswers[i] ?? '');
    const correct = q.question.answers.findIndex((a) => a.correct) + 1;
    // The CSV form has no image, so no description either.
    const optional = layout.optionalColumns.map((column) => (column === 'reference' ? (q.rawReference ?? '') : ''));
    const cells = [q.rawCode, q.rawTheme, q.question.priority ? 'oui' : 'non', q.rawStatement, ...answers, String(correct), ...optional];
    return cells.map((cell) => csvCell(cell, layout.quoteAll)).join(';');
  });
  const lines = [[...CSV_COLUMNS, ...layout.optionalColumns].join(';'), ...rows.flatMap((row) => (layout.blankLines ? [row, ''] : [row]))];
  return {
    csv: (layout.bom ? '\uFEFF' : '') + lines.join(layout.newline) + layout.newline,
    header: (layout.bom ? '\uFEFF' : '') + JSON.stringify(jsonHeader(c), null, layout.indent),
  };
}

// ——— Properties ———————————————————————————————————————————————————————————————————

function bankOf(result: BankResult): Bank {
  if (!result.ok) throw new Error(`refused:\n${result.errors.map(describeBankError).join('\n')}`);
  return result.bank;
}

/** fast-check throws the shrunk counterexample on failure; the pass records that the property ran. */
function holds<Ts extends [unknown, ...unknown[]]>(t: Tap, property: fc.IProperty<Ts>): void {
  fc.assert(property, { numRuns: 200 });
  t.pass('holds for every generated bank');
}
type Tap = Pick<typeof t, 'pass'>;

t.test('JSON: any valid bank reads back as generated', async (t) => {
  holds(
    t,
    fc.property(bankArb, layoutArb, (c, layout) => {
      assert.deepStrictEqual(bankOf(parseJsonBank(toJson(c, layout))), c.bank);
    }),
  );
});

t.test('CSV beside a JSON header: any valid bank reads back as generated, without images, with references when the file has their column', async (t) => {
  holds(
    t,
    fc.property(bankArb, layoutArb, (c, layout) => {
      const { csv, header } = toCsv(c, layout);
      const withReferences = layout.optionalColumns.includes('reference');
      const expected: Bank = {
        ...c.bank,
        questions: c.bank.questions.map((q) => ({ ...q, image: null, imageDescription: null, reference: withReferences ? q.reference : null })),
      };
      assert.deepStrictEqual(bankOf(parseCsvBank(csv, header)), expected);
    }),
  );
});
