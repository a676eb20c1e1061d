import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import t from 'tap';
import { csvField, toCsv } from '../../src/domain/csv.js';

t.test('fields are quoted only when they must be', async (t) => {
  t.equal(csvField('Lefèvre'), 'Lefèvre');
  t.equal(csvField('Réseaux; Fils'), '"Réseaux; Fils"');
  t.equal(csvField('SARL "Les Bâtisseurs"'), '"SARL ""Les Bâtisseurs"""');
  t.equal(csvField('deux\nlignes'), '"deux\nlignes"');
  t.equal(csvField(-3), '-3', 'a number is written as a number, its sign kept');
  t.equal(csvField(-0.883), '-0,883', 'a comma before the decimals, as a French spreadsheet reads them, and no apostrophe');
  t.equal(csvField(null), '');
});

t.test('a text a spreadsheet would run as a formula is made inert', async (t) => {
  for (const dangerous of ['=HYPERLINK("http://x")', '+33 1', '-2+3', '@SUM(A1)', '\tTab', '\rCR']) {
    t.equal(csvField(dangerous).replace(/^"/, '').startsWith("'"), true, `${JSON.stringify(dangerous)} starts with an apostrophe`);
  }
  t.equal(csvField('=1;2'), `"'=1;2"`);
});

t.test('the file: BOM, semicolons, CRLF; read back, every field is what was written', async (t) => {
  const text = toCsv(
    ['nom', 'note'],
    [
      ['Lefèvre', 12],
      ['D’Artagnan; "Jr"', -5],
    ],
  );
  t.ok(text.startsWith('\uFEFFnom;note\r\n'));
  t.ok(text.endsWith('\r\n'));
  t.same(parse(text, { bom: true, delimiter: ';' }), [
    ['nom', 'note'],
    ['Lefèvre', '12'],
    ['D’Artagnan; "Jr"', '-5'],
  ]);
  const safeText = fc.string({ unit: 'grapheme', maxLength: 20 }).filter((s) => !/^[=+\-@\t\r]/.test(s));
  fc.assert(
    fc.property(fc.array(fc.array(safeText, { minLength: 2, maxLength: 2 }), { maxLength: 5 }), (rows) => {
      const read = parse(toCsv(['a', 'b'], rows), { bom: true, delimiter: ';', relax_column_count: false });
      return JSON.stringify(read) === JSON.stringify([['a', 'b'], ...rows]);
    }),
  );
  t.pass('round trip holds');
});
