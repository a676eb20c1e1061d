import { toCsv } from '../../../domain/csv.js';
import type { ItemFlag, ItemStatistics } from '../../../domain/item-analysis.js';
import type { PreviewQuestion } from './queries.js';

export const FLAG_LABELS: Record<ItemFlag, string> = {
  tooEasy: 'trop facile',
  tooHard: 'trop difficile',
  negativeDiscrimination: 'discrimination négative',
  strongDistractor: 'distracteur choisi par les meilleurs',
};

const percent = new Intl.NumberFormat('fr-FR', { style: 'percent', maximumFractionDigits: 1 });
const correlation = new Intl.NumberFormat('fr-FR', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

/** One question of the bank beside its figures; `stats` is null for a question never drawn. */
interface QuestionFigures {
  question: PreviewQuestion;
  stats: ItemStatistics | null;
}

function figuresOf(questions: readonly PreviewQuestion[], items: readonly ItemStatistics[]): QuestionFigures[] {
  const byId = new Map(items.map((s) => [s.questionId, s]));
  return questions.map((question) => ({ question, stats: byId.get(question.id) ?? null }));
}

/** How often each answer of the bank was chosen, in the bank's order; an answer nobody chose is at 0. */
function answerShares({ question, stats }: QuestionFigures) {
  return question.answers.map((answer) => {
    const chosen = stats?.answers.find((a) => a.answerId === answer.id);
    return { answer, share: stats && stats.drawn > 0 ? (chosen?.chosen ?? 0) / stats.drawn : null, strongDistractor: chosen?.strongDistractor ?? false };
  });
}

/** The table of the statistics page, its figures written the French way. */
export function itemStatisticsRows(questions: readonly PreviewQuestion[], items: readonly ItemStatistics[]) {
  return figuresOf(questions, items).map((figures) => {
    const { question, stats } = figures;
    return {
      id: question.id,
      code: question.code,
      priority: question.priority,
      drawn: stats?.drawn ?? 0,
      facility: stats ? percent.format(stats.facility) : '—',
      discrimination: stats?.discrimination != null ? correlation.format(stats.discrimination) : '—',
      dontKnow: stats ? percent.format(stats.dontKnowRate) : '—',
      answers: answerShares(figures).map(({ answer, share, strongDistractor }) => ({
        text: answer.text,
        correct: answer.correct,
        share: share === null ? '—' : percent.format(share),
        strongDistractor,
      })),
      flags: (stats?.flags ?? []).map((flag) => FLAG_LABELS[flag]),
    };
  });
}

/** A share as a number of percent with one decimal, as a spreadsheet adds and sorts them. */
const percentValue = (x: number) => Math.round(x * 1000) / 10;

/** The same figures as a CSV file for a French spreadsheet (conventions in domain/csv.ts); shares in percent. */
export function itemStatisticsCsv(questions: readonly PreviewQuestion[], items: readonly ItemStatistics[]): string {
  const answerCount = Math.max(0, ...questions.map((q) => q.answers.length));
  const answerColumns = Array.from({ length: answerCount }, (_, i) => `Réponse ${i + 1} choisie (%)`);
  const header = [
    'Code',
    'Thème',
    'Prioritaire',
    'Tirages',
    'Facilité (%)',
    'Discrimination',
    'Bonnes réponses (%)',
    '« Je ne sais pas » (%)',
    'Sans réponse (%)',
    'Bonne réponse',
    ...answerColumns,
    'Signalements',
  ];
  const rows = figuresOf(questions, items).map((figures) => {
    const { question, stats } = figures;
    const shares = answerShares(figures).map(({ share }) => (share === null ? null : percentValue(share)));
    return [
      question.code,
      question.theme,
      question.priority ? 'oui' : 'non',
      stats?.drawn ?? 0,
      stats ? percentValue(stats.facility) : null,
      stats?.discrimination != null ? Math.round(stats.discrimination * 1000) / 1000 : null,
      stats ? percentValue(stats.rightRate) : null,
      stats ? percentValue(stats.dontKnowRate) : null,
      stats ? percentValue(stats.unansweredRate) : null,
      question.answers.findIndex((a) => a.correct) + 1 || null,
      ...shares,
      ...Array.from({ length: answerCount - shares.length }, () => null),
      (stats?.flags ?? []).map((flag) => FLAG_LABELS[flag]).join(', '),
    ];
  });
  return toCsv(header, rows);
}
