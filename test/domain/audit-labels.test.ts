import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import t from 'tap';
import {
  AUDIT_ACTION_LABELS,
  actionsWithLabelContaining,
  auditActionLabel,
  auditDetailLabel,
  auditDetailLines,
  auditTargetTypeLabel,
  formatAuditValue,
} from '../../src/domain/audit-labels.js';
import { ROOT_DIR } from '../../src/paths.js';

/** The action codes written in a source text: the quoted codes after `action:` (a ternary gives two, its condition none). */
function writtenActions(source: string): { codes: string[]; unreadable: string[] } {
  const codes: string[] = [];
  const unreadable: string[] = [];
  for (const match of source.matchAll(/\baction:\s*([^,\n}]+)/g)) {
    const expression = match[1]!.trim();
    const values = expression.includes('?') ? expression.slice(expression.indexOf('?') + 1) : expression;
    const literals = [...values.matchAll(/'([^'\n]+)'/g)].map((m) => m[1]!);
    if (literals.length === 0) unreadable.push(expression);
    codes.push(...literals);
  }
  return { codes, unreadable };
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

t.test('the scanner reads plain and conditional actions, and flags an action it cannot read', async (t) => {
  const sample = [
    "await recordAudit(trx, clock, { action: 'session.ouverte', actor, target: { type: 'session', id } });",
    "  action: change.suspended ? 'centre.suspendu' : 'centre.reactive',",
    "  action: input.link.purpose === 'activation' ? 'compte.active' : 'compte.mot_de_passe_reinitialise',",
    '  action: someVariable,',
  ].join('\n');
  const found = writtenActions(sample);
  t.same(found.codes, ['session.ouverte', 'centre.suspendu', 'centre.reactive', 'compte.active', 'compte.mot_de_passe_reinitialise']);
  t.same(found.unreadable, ['someVariable']);
});

t.test('every action the source writes has a French label', async (t) => {
  const written = new Map<string, string>();
  for (const file of sourceFiles(join(ROOT_DIR, 'src'))) {
    const source = readFileSync(file, 'utf8');
    if (!/\brecord(Repeated)?Audit\(/.test(source)) continue;
    const name = relative(ROOT_DIR, file);
    if (name === join('src', 'services', 'audit.ts')) continue; // where the log is written, from event.action
    const { codes, unreadable } = writtenActions(source);
    t.same(unreadable, [], `${name}: every action is written as a literal this test can read`);
    for (const code of codes) written.set(code, name);
  }
  t.ok(written.size >= 50, `the scan finds the actions (${written.size})`);
  for (const expected of [
    'connexion.reussie',
    'session.ouverte',
    'jetons.generes',
    'examen.temps_supplementaire',
    'centre.cachet_retire',
    'compte.double_facteur_active',
  ]) {
    t.ok(written.has(expected), `the scan finds ${expected}`);
  }
  const missing = [...written].filter(([code]) => !Object.hasOwn(AUDIT_ACTION_LABELS, code)).map(([code, file]) => `${code} (${file})`);
  t.same(missing, [], 'no action written without a label');
});

t.test('action labels, and the code for an unknown action', async (t) => {
  t.equal(auditActionLabel('connexion.reussie'), 'Connexion');
  t.equal(auditActionLabel('connexion.echouee'), 'Connexion refusée');
  t.equal(auditActionLabel('compte.double_facteur_active'), 'Double authentification activée');
  t.equal(auditActionLabel('centre.suspendu'), 'Centre suspendu');
  t.equal(auditActionLabel('examen.temps_supplementaire'), 'Temps supplémentaire accordé');
  t.equal(auditActionLabel('ancienne.action'), 'ancienne.action', 'an old row keeps its code');
  t.equal(auditActionLabel('toString'), 'toString', 'nothing inherited is taken for a label');
  const labels = Object.values(AUDIT_ACTION_LABELS);
  t.equal(new Set(labels).size, labels.length, 'no two actions share a label');
});

t.test('the actions whose label holds a text, case and accents ignored', async (t) => {
  t.ok(actionsWithLabelContaining('suspendu').includes('centre.suspendu'));
  t.ok(actionsWithLabelContaining('DOUBLE AUTHENTIFICATION ACTIVEE').includes('compte.double_facteur_active'));
  t.ok(actionsWithLabelContaining('temps supplémentaire').includes('examen.temps_supplementaire'));
  t.same(actionsWithLabelContaining('   '), []);
  t.same(actionsWithLabelContaining('%'), []);
});

t.test('target kinds and detail keys', async (t) => {
  t.equal(auditTargetTypeLabel('lot_jetons'), 'Lot de jetons');
  t.equal(auditTargetTypeLabel('autre'), 'autre');
  t.equal(auditDetailLabel('jusqu_a'), 'Jusqu’au');
  t.equal(auditDetailLabel('cle_inconnue'), 'cle_inconnue', 'an unknown key is shown as it is');
});

t.test('values: Paris times, days, yes and no, centre IDs', async (t) => {
  t.equal(formatAuditValue('avant', '2026-12-02T16:56:32.745Z'), '02/12/2026 à 17 h 56', 'winter: UTC+1');
  t.equal(formatAuditValue('avant', '2026-07-14T08:00:00.000Z'), '14/07/2026 à 10 h 00', 'summer: UTC+2');
  t.equal(formatAuditValue('date', '2026-11-29'), '29/11/2026');
  t.equal(formatAuditValue('admis', true), 'oui');
  t.equal(formatAuditValue('admis', false), 'non');
  t.equal(formatAuditValue('centre', 1), 'centre0001');
  t.equal(formatAuditValue('note', 1), '1');
  t.equal(formatAuditValue('poste', null), '—');
  t.equal(formatAuditValue('profil', 'operateur'), 'Opérateur');
  t.equal(formatAuditValue('raison', 'delai'), 'temps écoulé');
  t.equal(formatAuditValue('motif', 'date_naissance'), 'date de naissance incorrecte');
  t.equal(formatAuditValue('motif', 'constructor'), 'constructor', 'nothing inherited is taken for a label');
  t.equal(formatAuditValue('numeros', ['A-1', 'A-2']), 'A-1, A-2');
  t.equal(formatAuditValue('motif', '2026-13-45T99:00Z pas une date'), '2026-13-45T99:00Z pas une date');
});

t.test('details as lines', async (t) => {
  t.same(auditDetailLines(null), []);
  t.same(auditDetailLines(JSON.stringify({ minutes: 10, total: 10, avant: '2026-12-02T16:56:32.745Z', apres: '2026-12-02T17:06:32.745Z' })), [
    { label: 'Minutes', value: '10' },
    { label: 'Total (minutes)', value: '10' },
    { label: 'Avant', value: '02/12/2026 à 17 h 56' },
    { label: 'Après', value: '02/12/2026 à 18 h 06' },
  ]);
  t.same(auditDetailLines(JSON.stringify({ avant: { nom: 'A', email: 'a@b.fr' }, apres: { nom: 'B' }, inconnu: 'x' })), [
    {
      label: 'Avant',
      value: '',
      lines: [
        { label: 'Nom', value: 'A' },
        { label: 'Courriel', value: 'a@b.fr' },
      ],
    },
    { label: 'Après', value: '', lines: [{ label: 'Nom', value: 'B' }] },
    { label: 'inconnu', value: 'x' },
  ]);
  t.same(auditDetailLines('pas du JSON'), [{ label: 'Détails', value: 'pas du JSON' }], 'text that is not JSON is shown as it is');
  t.same(auditDetailLines('[1,2]'), [{ label: 'Détails', value: '1, 2' }]);
});
