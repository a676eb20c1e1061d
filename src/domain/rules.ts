/**
 * The rules of one questionnaire version. They are data stored with the version, never
 * constants: an administrator may publish a version with other numbers.
 *
 * Every `points` value is a signed amount ADDED to the total, exactly as written in the import
 * file (`"fausse": -1` is stored as `wrong: -1`), so a penalty is a negative number.
 */
export interface ExamRules {
  questionCount: number;
  priorityCount: number;
  durationMinutes: number;
  passPercentage: number;
  points: { right: number; dontKnow: number; wrong: number; wrongPriority: number };
}

export function maximumScore(rules: Pick<ExamRules, 'questionCount' | 'points'>): number {
  return rules.questionCount * rules.points.right;
}

/**
 * The smallest integer total that passes: ceil(maximum × percentage / 100). Integer arithmetic
 * keeps it exact where a fraction would not: Math.ceil(100 × 0.07) gives 8 instead of 7.
 */
export function passMark(rules: Pick<ExamRules, 'questionCount' | 'points' | 'passPercentage'>): number {
  const scaled = maximumScore(rules) * rules.passPercentage;
  const remainder = scaled % 100;
  const quotient = (scaled - remainder) / 100;
  return remainder > 0 ? quotient + 1 : quotient;
}
