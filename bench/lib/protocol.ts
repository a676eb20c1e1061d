/**
 * What the benchmark (which hosts the servers) asks of the load process (which plays the
 * terminals), over the child-process IPC channel. The load runs in its own process so that the
 * client's work does not share the server's event loop.
 */

/** Latencies in milliseconds, measured by the load process from the moment a request is written to its complete response. */
export interface LatencyFigures {
  latencyP50: number;
  latencyP99: number;
  latencyMean: number;
  latencyMax: number;
}

export interface SeriesFigures extends LatencyFigures {
  /** Completed responses over all the runs of the series. */
  responses: number;
  seconds: number;
  requestsPerSecond: number;
}

export interface LoadFigures extends LatencyFigures {
  /** Completed responses ÷ duration. */
  requestsPerSecond: number;
  /** Completed responses counted by autocannon in this run. */
  responses: number;
  ok2xx: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  durationSeconds: number;
  connections: number;
  /** Requests built by the rotation during this run (including those in flight at the end). */
  built: number;
  /** 2xx responses whose body was exactly the expected fragment. */
  expectedBodies: number;
  /** Responses that were not (status, body excerpt), at most a few. */
  unexpected: { status: number; body: string }[];
  unexpectedCount: number;
  /** Times the rotation found no idle candidate and had to share one between connections. */
  sharedPicks: number;
}

export interface CandidateSaves {
  code: string;
  /** Index = position (1..questionCount): the last `seq` sent for it; index 0 unused. */
  built: number[];
  /** Index = position: the highest `seq` whose save was acknowledged (2xx + expected fragment). */
  acked: number[];
}

/** The terminals of a prepare step: admitted by the supervisor first, then each candidate's own flow, timed apart. */
export interface PreparedTerminals {
  admitted: number;
  /** The admissions (the supervisor's part, before the candidates arrive). */
  admissionSeconds: number;
  prepared: number;
  /** The candidates' flow only, on terminals already admitted. */
  seconds: number;
}

export interface StartFigures {
  /** Per candidate, in milliseconds, from the common start instant to the complete response. */
  latencies: number[];
  /** From the common start instant to the last response, in milliseconds. */
  totalMs: number;
  statuses: { status: number; location: string | null }[];
}

export type LoadRequest =
  | { kind: 'prepare-exams'; url: string; centre: string; admissionCode: string; codes: string[]; questionCount: number }
  | { kind: 'saves'; url: string; connections: number; durationSeconds: number; expectedBody: string; dryRun: boolean; series: string | null }
  | { kind: 'series'; series: string }
  | { kind: 'save-state' }
  | { kind: 'prepare-room'; url: string; centre: string; admissionCode: string; codes: string[] }
  | { kind: 'room-start'; indices: number[] };

export type LoadResponse<K extends LoadRequest['kind']> = K extends 'prepare-exams'
  ? PreparedTerminals
  : K extends 'saves'
    ? LoadFigures
    : K extends 'series'
      ? SeriesFigures
      : K extends 'save-state'
        ? CandidateSaves[]
        : K extends 'prepare-room'
          ? PreparedTerminals
          : StartFigures;

export type Envelope = { id: number; request: LoadRequest };
export type Reply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: string };
