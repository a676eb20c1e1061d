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

/** A whole-number field of the rules, named by its path in ExamRules. */
export type RuleField =
  'questionCount' | 'priorityCount' | 'durationMinutes' | 'passPercentage' | 'points.right' | 'points.dontKnow' | 'points.wrong' | 'points.wrongPriority';

/**
 * Where rules are read from (an import file, a stored version). The source finds each field and
 * says in its own words what is wrong with it; `checkRules` decides what is wrong.
 */
export interface RulesSource {
  /** The field when it is a whole number from `min` to `max`; otherwise reported, and undefined. */
  integer(field: RuleField, min: number, max: number): number | undefined;
  /** Whether the points can be read at all; when they cannot, the source has reported why. */
  hasPoints(): boolean;
  /** Reports an outcome worth `value` that pays as much as a right answer (`right`) or more. */
  paysAsMuchAsRight(field: RuleField, value: number, right: number): void;
}

/** The one definition of valid rules: undefined when anything is wrong, every fault being reported. */
export function checkRules(source: RulesSource): ExamRules | undefined {
  const questionCount = source.integer('questionCount', 1, 200);
  const priorityCount = source.integer('priorityCount', 0, questionCount ?? 200);
  const durationMinutes = source.integer('durationMinutes', 1, 600);
  const passPercentage = source.integer('passPercentage', 1, 100);
  const points = source.hasPoints() ? checkPoints(source) : undefined;
  if (questionCount === undefined || priorityCount === undefined || durationMinutes === undefined || passPercentage === undefined || points === undefined) {
    return undefined;
  }
  return { questionCount, priorityCount, durationMinutes, passPercentage, points };
}

function checkPoints(source: RulesSource): ExamRules['points'] | undefined {
  const right = source.integer('points.right', 1, 100);
  const others = {
    dontKnow: source.integer('points.dontKnow', -100, 100),
    wrong: source.integer('points.wrong', -100, 100),
    wrongPriority: source.integer('points.wrongPriority', -100, 100),
  };
  // Otherwise guessing, or giving up, would pay more than knowing.
  let consistent = true;
  for (const key of ['dontKnow', 'wrong', 'wrongPriority'] as const) {
    const value = others[key];
    if (right !== undefined && value !== undefined && value >= right) {
      consistent = false;
      source.paysAsMuchAsRight(`points.${key}`, value, right);
    }
  }
  const { dontKnow, wrong, wrongPriority } = others;
  if (!consistent || right === undefined || dontKnow === undefined || wrong === undefined || wrongPriority === undefined) {
    return undefined;
  }
  return { right, dontKnow, wrong, wrongPriority };
}

/**
 * The rules stored with a questionnaire version (the JSON of ExamRules), held to what an import
 * accepts: stored rules that fail are corrupt, and the error names the field.
 */
export function parseStoredRules(json: string): ExamRules {
  let stored: unknown;
  try {
    stored = JSON.parse(json);
  } catch (error) {
    throw new Error(`Stored rules are not JSON: ${json.slice(0, 80)}`, { cause: error });
  }
  if (!isRecord(stored)) throw new Error(`Stored rules are not a JSON object: ${json.slice(0, 80)}`);
  const corrupt = (detail: string) => new Error(`Stored rules are corrupt: ${detail}.`);
  const points = stored['points'];
  const rules = checkRules({
    integer(field, min, max) {
      const [group, key] = field.split('.') as [string, string | undefined];
      const value = key === undefined ? stored[group] : isRecord(points) ? points[key] : undefined;
      if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max) return value;
      if (value === undefined) throw corrupt(`"${field}" is missing`);
      throw corrupt(`"${field}" must be a whole number from ${min} to ${max}, not ${JSON.stringify(value)}`);
    },
    hasPoints() {
      if (isRecord(points)) return true;
      throw corrupt(points === undefined ? '"points" is missing' : `"points" must be an object, not ${JSON.stringify(points)}`);
    },
    paysAsMuchAsRight(field, value, right) {
      throw corrupt(`"${field}" (${value}) must be less than "points.right" (${right})`);
    },
  });
  if (rules === undefined) throw new Error('rules: invalid stored rules without any fault reported');
  return rules;
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}
