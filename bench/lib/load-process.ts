/**
 * The load process: plays the kiosk terminals (fetch for their admission and the candidates' flows,
 * autocannon for the answer saves) against servers hosted by the parent. Started by load-client.ts; never run directly.
 */
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import { admitKioskTerminal, inBatches, KioskTerminal, reachRulesPage, startAndOpenFirstQuestion } from './kiosk-client.js';
import type { CandidateSaves, Envelope, LatencyFigures, LoadFigures, LoadRequest, PreparedTerminals, Reply, SeriesFigures, StartFigures } from './protocol.js';
import { percentile } from './stats.js';

interface ExamCandidate {
  code: string;
  cookie: string;
  csrf: string;
  /** The next position this candidate answers (1..questionCount, then round again). */
  nextPosition: number;
  built: number[];
  acked: number[];
}

let examCandidates: ExamCandidate[] = [];
let questionCount = 0;
let roomTerminals: KioskTerminal[] = [];
/** Latency samples and durations gathered over several runs (interleaved slices of one measurement). */
const seriesData = new Map<string, { latencies: number[]; responses: number; seconds: number }>();

function latencyFigures(samples: number[]): LatencyFigures {
  let sum = 0;
  let max = 0;
  for (const s of samples) {
    sum += s;
    if (s > max) max = s;
  }
  return {
    latencyP50: percentile(samples, 50),
    latencyP99: percentile(samples, 99),
    latencyMean: samples.length ? sum / samples.length : Number.NaN,
    latencyMax: max,
  };
}

function seriesFigures(series: string): SeriesFigures {
  const data = seriesData.get(series);
  if (!data) throw new Error(`unknown series ${series}`);
  return { responses: data.responses, seconds: data.seconds, requestsPerSecond: data.responses / data.seconds, ...latencyFigures(data.latencies) };
}

/** The choices a candidate clicks, in turn: answers 1 to 3 (every demo question has 3 or 4) and "Je ne sais pas". */
const CHOICES = ['1', '2', '3', 'nsp'] as const;

/**
 * One terminal per candidate, each admitted to the session with its code, as the supervisor does
 * before the candidates arrive: not part of any candidate's flow. Returns the seconds it took.
 */
async function admitTerminals(url: string, centre: string, admissionCode: string, count: number): Promise<{ terminals: KioskTerminal[]; seconds: number }> {
  const started = performance.now();
  const terminals = Array.from({ length: count }, () => new KioskTerminal(url));
  await inBatches(terminals, 10, (terminal, i) => admitKioskTerminal(terminal, centre, admissionCode, `Poste ${i + 1}`));
  return { terminals, seconds: (performance.now() - started) / 1000 };
}

async function prepareExams(url: string, centre: string, admissionCode: string, codes: string[], count: number): Promise<PreparedTerminals> {
  const { terminals, seconds: admissionSeconds } = await admitTerminals(url, centre, admissionCode, codes.length);
  const started = performance.now();
  questionCount = count;
  const prepared: ExamCandidate[] = new Array(codes.length);
  await inBatches(codes, 10, async (code, i) => {
    const terminal = terminals[i]!;
    await reachRulesPage(terminal, centre, code, i);
    await startAndOpenFirstQuestion(terminal);
    prepared[i] = {
      code,
      cookie: terminal.cookieHeader,
      csrf: terminal.csrf!,
      nextPosition: 1,
      built: new Array<number>(count + 1).fill(0),
      acked: new Array<number>(count + 1).fill(0),
    };
  });
  examCandidates = prepared;
  return { admitted: terminals.length, admissionSeconds, prepared: prepared.length, seconds: (performance.now() - started) / 1000 };
}

/**
 * Answer saves with autocannon: one POST /examen/question/<n> per request, as htmx sends it on a
 * change (HX-Request, the form's fields, the CSRF token in the field and the header). A candidate is
 * used by one connection at a time (a FIFO of idle candidates: taken when a request is built, given
 * back when its response arrives), so each candidate's `seq` for a question reaches the server in
 * order and every save should be applied. `dryRun` works on a copy (the bare route keeps no state).
 */
async function saves(request: Extract<LoadRequest, { kind: 'saves' }>): Promise<LoadFigures> {
  if (examCandidates.length === 0) throw new Error('no candidates prepared');
  const candidates = request.dryRun ? examCandidates.map((c) => ({ ...c, built: [...c.built], acked: [...c.acked] })) : examCandidates;
  const idle = candidates.map((_, i) => i);
  let nextShared = 0;
  const latencies: number[] = [];
  const tally = { built: 0, expected: 0, unexpectedCount: 0, sharedPicks: 0, unexpected: [] as { status: number; body: string }[] };

  const instance = autocannon({
    url: request.url,
    connections: request.connections,
    duration: request.durationSeconds,
    pipelining: 1,
    timeout: 10,
    requests: [
      {
        method: 'POST',
        setupRequest(req, context) {
          let k = idle.shift();
          if (k === undefined) {
            // Only if a connection lost a response (timeout, reset): share, and say so.
            k = nextShared++ % candidates.length;
            tally.sharedPicks++;
          }
          const c = candidates[k]!;
          const position = c.nextPosition;
          c.nextPosition = (position % questionCount) + 1;
          const seq = ++c.built[position]!;
          const n = ++tally.built;
          const fields: Record<string, string> = { _csrf: c.csrf, seq: String(seq), choix: CHOICES[n % CHOICES.length]! };
          if (n % 7 === 0) fields.revoir = 'oui';
          context.k = k;
          context.position = position;
          context.seq = seq;
          // autocannon writes the request right after building it.
          context.sentAt = performance.now();
          return {
            ...req,
            method: 'POST',
            path: `/examen/question/${position}`,
            headers: {
              'content-type': 'application/x-www-form-urlencoded',
              cookie: c.cookie,
              'hx-request': 'true',
              'x-csrf-token': c.csrf,
            },
            body: new URLSearchParams(fields).toString(),
          };
        },
        onResponse(status, body, context) {
          latencies.push(performance.now() - (context.sentAt as number));
          const k = context.k as number;
          const c = candidates[k]!;
          idle.push(k);
          if (status >= 200 && status < 300 && body === request.expectedBody) {
            tally.expected++;
            const position = context.position as number;
            c.acked[position] = Math.max(c.acked[position]!, context.seq as number);
          } else {
            tally.unexpectedCount++;
            if (tally.unexpected.length < 5) tally.unexpected.push({ status, body: body.slice(0, 200) });
          }
        },
      },
    ],
  });
  const result = await instance;
  if (request.series !== null) {
    const data = seriesData.get(request.series) ?? { latencies: [], responses: 0, seconds: 0 };
    for (const l of latencies) data.latencies.push(l);
    data.responses += result.requests.total;
    data.seconds += result.duration;
    seriesData.set(request.series, data);
  }
  return {
    requestsPerSecond: result.requests.total / result.duration,
    ...latencyFigures(latencies),
    responses: result.requests.total,
    ok2xx: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    durationSeconds: result.duration,
    connections: result.connections,
    built: tally.built,
    expectedBodies: tally.expected,
    unexpected: tally.unexpected,
    unexpectedCount: tally.unexpectedCount,
    sharedPicks: tally.sharedPicks,
  };
}

function saveState(): CandidateSaves[] {
  return examCandidates.map((c) => ({ code: c.code, built: c.built, acked: c.acked }));
}

async function prepareRoom(url: string, centre: string, admissionCode: string, codes: string[]): Promise<PreparedTerminals> {
  const { terminals, seconds: admissionSeconds } = await admitTerminals(url, centre, admissionCode, codes.length);
  const started = performance.now();
  await inBatches(codes, 10, (code, i) => reachRulesPage(terminals[i]!, centre, code, i));
  roomTerminals = terminals;
  return { admitted: terminals.length, admissionSeconds, prepared: terminals.length, seconds: (performance.now() - started) / 1000 };
}

/** Every chosen terminal clicks "Commencer" in the same tick. */
async function roomStart(indices: number[]): Promise<StartFigures> {
  const terminals = indices.map((i) => {
    const t = roomTerminals[i];
    if (!t) throw new Error(`no room terminal ${i}`);
    return t;
  });
  const t0 = performance.now();
  const outcomes = await Promise.all(
    terminals.map(async (t) => {
      const res = await t.post('/examen/commencer', {});
      return { ms: performance.now() - t0, status: res.status, location: res.location };
    }),
  );
  return {
    latencies: outcomes.map((o) => o.ms),
    totalMs: performance.now() - t0,
    statuses: outcomes.map((o) => ({ status: o.status, location: o.location })),
  };
}

async function handle(request: LoadRequest): Promise<unknown> {
  switch (request.kind) {
    case 'prepare-exams':
      return prepareExams(request.url, request.centre, request.admissionCode, request.codes, request.questionCount);
    case 'saves':
      return saves(request);
    case 'series':
      return seriesFigures(request.series);
    case 'save-state':
      return saveState();
    case 'prepare-room':
      return prepareRoom(request.url, request.centre, request.admissionCode, request.codes);
    case 'room-start':
      return roomStart(request.indices);
  }
}

process.on('message', (message: Envelope) => {
  handle(message.request).then(
    (value) => process.send!({ id: message.id, ok: true, value } satisfies Reply),
    (err: unknown) => process.send!({ id: message.id, ok: false, error: err instanceof Error ? (err.stack ?? err.message) : String(err) } satisfies Reply),
  );
});
process.on('disconnect', () => process.exit(0));
