/** The bank as a whole: its counts held against its rules, then the Bank built if nothing was wrong. */
import { drawProblems } from '../draw.js';
import type { Header } from './header.js';
import type { Bank, BankError, BankQuestion, BankResult } from './model.js';
import type { Draft } from './question-checks.js';
import { complete } from './report.js';

export function finish(header: Header | undefined, drafts: Draft[] | undefined, errors: BankError[]): BankResult {
  if (header?.rules && drafts) {
    const drawable = drafts.flatMap((d, id) => (d.priority === undefined ? [] : [{ id, theme: '', priority: d.priority, answerIds: [] }]));
    for (const message of drawProblems(drawable, header.rules)) errors.push({ where: null, message });
  }
  if (errors.length > 0) return { ok: false, errors };
  const questions = drafts?.map((d) => d.question);
  const bank = complete<Bank>({
    profile: header?.profile,
    version: header?.version,
    title: header?.title,
    rules: header?.rules,
    questions: questions?.includes(null) ? undefined : (questions as BankQuestion[]),
  });
  if (bank === null) throw new Error('bank: incomplete bank without any error reported');
  return { ok: true, bank };
}
