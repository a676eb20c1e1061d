import type { FastifyReply, FastifyRequest } from 'fastify';
import { isHttps } from '../../../config.js';
import type { Identity } from '../../../domain/candidate-identity.js';
import { formatRemaining, isPastDeadline, remainingSeconds } from '../../../domain/exam-clock.js';
import { formatHour } from '../../../domain/paris-time.js';
import { PROFILE_LABELS } from '../../../domain/profiles.js';
import { maximumScore, passMark, type ExamRules } from '../../../domain/rules.js';
import { finishExam } from '../../../services/exam/lifecycle.js';
import { findAdmission, TERMINAL_COOKIE, type TerminalAdmission } from '../../../services/exam/admission.js';
import { getExamHeader, type ExamHeader } from './queries.js';

/** What the terminal's session holds between the entry form and « Commencer ». */
export interface KioskEntry {
  centreId: number;
  tokenId: number;
  questionnaireId: number;
  /** The session the terminal is admitted to, and that admission: « Commencer » checks it still holds. */
  sessionId: number;
  admissionId: number;
  identity: Identity | null;
}

declare module 'fastify' {
  interface Session {
    /** A candidate between the entry form and "Commencer". */
    kioskEntry?: KioskEntry;
    /** The exam this terminal's candidate is sitting: the only one this cookie reaches. */
    examId?: number;
    /** The exam's terminal generation when this terminal joined it (see moveExamToTerminal in services/exam/admission.ts). */
    examGeneration?: number;
    /** An exam found again by centre + token, waiting for the birth date to be confirmed. */
    resumeExamId?: number;
  }
}

/** A kiosk page (`entry/identity`, `exam/question`…): the kiosk's own light layout. */
export function kioskPage(reply: FastifyReply, template: string, data: Record<string, unknown>, title: string, status = 200) {
  return reply.render(`kiosk/${template}`, data, { layout: 'kiosk', title, status });
}

/** The profile and scoring a candidate reads before starting, and again with the result. */
export function rulesView(exam: { profile: keyof typeof PROFILE_LABELS; version: string; rules: ExamRules }) {
  return {
    profileLabel: PROFILE_LABELS[exam.profile],
    version: exam.version,
    rules: exam.rules,
    maximum: maximumScore(exam.rules),
    passMark: passMark(exam.rules),
  };
}

export function timerView(exam: Pick<ExamHeader, 'deadlineAt' | 'pausedAt'>, now: Date) {
  // Paused, the time stands still where the pause stopped it.
  const seconds = remainingSeconds(new Date(exam.deadlineAt), exam.pausedAt ? new Date(exam.pausedAt) : now);
  // endsAt: what a page without JavaScript shows, its countdown being still.
  return { seconds, text: formatRemaining(seconds), deadline: exam.deadlineAt, endsAt: formatHour(new Date(exam.deadlineAt)) };
}

/** The session this terminal is admitted to (its own cookie, services/exam/admission.ts), or null. */
export function terminalAdmission(request: FastifyRequest): Promise<TerminalAdmission | null> {
  return findAdmission(request.server.db, request.cookies[TERMINAL_COOKIE], request.server.clock.now());
}

/** Gives the terminal its admission: a cookie of the kiosk's paths, kept until the end of the session's day. */
export function admitThisTerminal(reply: FastifyReply, cookie: string, expiresAt: string) {
  const maxAge = Math.max(1, Math.floor((Date.parse(expiresAt) - reply.server.clock.now().getTime()) / 1000));
  reply.setCookie(TERMINAL_COOKIE, cookie, { httpOnly: true, sameSite: 'lax', secure: isHttps(reply.server.config), path: '/examen', maxAge });
}

/** The candidate's exam on this terminal, finished by the server first if its time is over; null when none. */
export async function currentExam(request: FastifyRequest): Promise<ExamHeader | null> {
  const { db, clock } = request.server;
  const examId = request.session.examId;
  if (!examId) return null;
  let exam = await getExamHeader(db, examId);
  if (exam && exam.terminalGeneration !== (request.session.examGeneration ?? 0)) {
    // Resumed on another terminal since: this one lets go of the exam.
    request.session.examId = undefined;
    request.session.examGeneration = undefined;
    request.session.flash = [
      ...(request.session.flash ?? []),
      { type: 'warning', text: 'Cet examen a été repris sur un autre poste : il ne peut plus être poursuivi sur celui-ci.' },
    ];
    return null;
  }
  if (exam && !exam.finishedAt && isPastDeadline(new Date(exam.deadlineAt), clock.now())) {
    await finishExam(db, clock, exam.id, 'delai');
    exam = await getExamHeader(db, examId);
  }
  return exam;
}
