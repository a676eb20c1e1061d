/**
 * What national-peak.ts (which hosts the server) and the open-loop load process (peak-process.ts)
 * say to each other over the child-process IPC channel: one plan in, progress marks and one result out.
 */
import type { CandidateSaves, PreparedTerminals } from './protocol.js';

export interface PeakPlan {
  url: string;
  centre: string;
  admissionCode: string;
  /** One token per exam to start (the simulated candidates are spread over these exams). */
  codes: string[];
  questionCount: number;
  /** The national load: answer saves and question pages per second, all candidates together. */
  savesPerSecond: number;
  pagesPerSecond: number;
  warmupSeconds: number;
  durationSeconds: number;
  stepSeconds: number;
  /** Multiples of the national load tried after it while its p99 stays within the limit… */
  stepsUp: number[];
  /** …or, if the national load already passes it, tried below it until one stays within. */
  stepsDown: number[];
  p99LimitMs: number;
  /** Kept-alive connections to the server (requests beyond wait for one, and that wait counts). */
  sockets: number;
  /** Requests in flight beyond which an arrival is dropped (counted as an error), so that an overload cannot exhaust the generator. */
  maxOutstanding: number;
  /** Seconds after which a request is abandoned (counted as an error). */
  timeoutSeconds: number;
}

export interface KindFigures {
  /** Responses with the expected status and content. */
  ok: number;
  /** Wrong status or content, socket errors, timeouts, arrivals dropped. */
  errors: number;
  /** The first few errors, to read. */
  errorSamples: string[];
  /** From the scheduled arrival (not the send: an overloaded generator or a queue for a socket counts) to the complete response, ms. */
  p50: number;
  p99: number;
  max: number;
}

export interface StepFigures {
  label: string;
  /** Multiple of the national load. */
  factor: number;
  seconds: number;
  targetSavesPerSecond: number;
  targetPagesPerSecond: number;
  saves: KindFigures;
  pages: KindFigures;
  /** From the scheduled arrival to the request getting its socket, p99 ms: the generator's own lag plus the wait for a free connection. */
  startLagP99: number;
  /** Arrivals not sent because maxOutstanding requests were in flight. */
  dropped: number;
  /** From the window's end until the last response of the step. */
  drainMs: number;
  /** Both p99 within the limit and no error. */
  passed: boolean;
}

export interface PeakResult {
  prepared: PreparedTerminals;
  national: StepFigures;
  /** The steps after the national load, in the order run (up, or down). */
  steps: StepFigures[];
  saveStates: CandidateSaves[];
}

export type PeakMessage =
  { kind: 'step-start'; label: string } | { kind: 'step-end'; label: string } | { kind: 'done'; result: PeakResult } | { kind: 'failed'; error: string };
