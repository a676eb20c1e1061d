/**
 * The bank templates offered on the import page: small valid banks that an administrator downloads
 * and adapts. They are the files of demo/modeles/ (see its LISEZMOI.md), sent as they are stored;
 * test/areas/admin/questionnaire-format-help.test.ts imports each one through the import form, so
 * a template that the bank reader would refuse fails the tests.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DEMO_DIR } from '../../../paths.js';

export interface BankTemplate {
  /** Its name in demo/modeles/, at the end of its address and as the file saved. */
  fileName: string;
  contentType: string;
  /** The link's text on the import page. */
  label: string;
  /** A byte order mark in front, as the platform's CSV exports have: Excel then reads the accents as UTF-8. */
  bom: boolean;
}

export const TEMPLATES_PATH = '/admin/questionnaires/modeles';

export const BANK_TEMPLATES: readonly BankTemplate[] = [
  {
    fileName: 'modele-banque.json',
    contentType: 'application/json; charset=utf-8',
    label: 'Banque au format JSON (4 questions, dont une illustrée)',
    bom: false,
  },
  {
    fileName: 'modele-banque.csv',
    contentType: 'text/csv; charset=utf-8',
    label: 'Banque au format CSV (les mêmes questions, sans image)',
    bom: true,
  },
  {
    fileName: 'modele-entete.json',
    contentType: 'application/json; charset=utf-8',
    label: 'En-tête JSON de la banque CSV',
    bom: false,
  },
];

export function templateUrl(template: BankTemplate): string {
  return `${TEMPLATES_PATH}/${template.fileName}`;
}

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

export async function readBankTemplate(template: BankTemplate): Promise<Buffer> {
  const data = await readFile(join(DEMO_DIR, 'modeles', template.fileName));
  return template.bom && !data.subarray(0, BOM.length).equals(BOM) ? Buffer.concat([BOM, data]) : data;
}
