/** The shape a question bank is read into, whichever file format it came in. */
import type { Profile } from '../profiles.js';
import type { ExamRules } from '../rules.js';

export type ImageMime = 'image/png' | 'image/jpeg' | 'image/svg+xml';
export interface BankImage {
  mime: ImageMime;
  data: Buffer;
}
export interface BankAnswer {
  text: string;
  correct: boolean;
}
export interface BankQuestion {
  code: string;
  theme: string;
  priority: boolean;
  statement: string;
  image: BankImage | null;
  /** The image's text alternative on the kiosk (RGAA 1.3); never without an image. */
  imageDescription: string | null;
  /** The regulatory text the question rests on (« R554-21 »), for the administrator only. */
  reference: string | null;
  answers: BankAnswer[];
}
export interface Bank {
  profile: Profile;
  version: string;
  title: string;
  rules: ExamRules;
  questions: BankQuestion[];
}
export interface BankError {
  where: string | null;
  message: string;
}
export type BankResult = { ok: true; bank: Bank } | { ok: false; errors: BankError[] };
