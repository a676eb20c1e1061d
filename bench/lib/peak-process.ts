/**
 * The open-loop load of the national peak: arrivals at random instants (a Poisson process) at a
 * set rate, each sent whether or not the earlier ones have been answered, as candidates do; a
 * closed loop (autocannon: the next request once the last is answered) would slow down with the
 * server and hide its queue. Each arrival is a candidate's answer save (the htmx POST) or a
 * question page (GET, as a browser asks it), on one of the exams started beforehand, drawn at
 * random. Started by national-peak.ts with a plan (peak-protocol.ts); never run directly.
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { admitKioskTerminal, inBatches, KioskTerminal, reachRulesPage, startAndOpenFirstQuestion } from './kiosk-client.js';
import type { KindFigures, PeakMessage, PeakPlan, PeakResult, StepFigures } from './peak-protocol.js';
import type { PreparedTerminals } from './protocol.js';
import { percentile, sleep } from './stats.js';

/** The fragment the kiosk answers to an htmx save (routes.ts). */
const SAVED_FRAGMENT = '<span class="k-saved" data-repondue="1">Réponse enregistrée.</span>';
/** The choices a candidate clicks, in turn: answers 1 to 3 (every demo question has 3 or 4) and "Je ne sais pas". */
const CHOICES = ['1', '2', '3', 'nsp'] as const;
/** What a browser sends (the pages go out compressed, as to a kiosk). */
const ACCEPT_ENCODING = 'gzip, deflate, br';

const decoders: Record<string, (b: Buffer) => Promise<Buffer>> = {
  br: promisify(zlib.brotliDecompress),
  gzip: promisify(zlib.gunzip),
  deflate: promisify(zlib.inflate),
};

interface Candidate {
  code: string;
  cookie: string;
  csrf: string;
  nextPosition: number;
  built: number[];
  acked: number[];
}

function send(message: PeakMessage): void {
  process.send!(message);
}

async function prepare(plan: PeakPlan): Promise<{ candidates: Candidate[]; prepared: PreparedTerminals }> {
  const t0 = performance.now();
  const terminals = plan.codes.map(() => new KioskTerminal(plan.url));
  await inBatches(terminals, 10, (terminal, i) => admitKioskTerminal(terminal, plan.centre, plan.admissionCode, `Poste ${i + 1}`));
  const admissionSeconds = (performance.now() - t0) / 1000;
  const t1 = performance.now();
  const candidates: Candidate[] = new Array(plan.codes.length);
  await inBatches(plan.codes, 10, async (code, i) => {
    const terminal = terminals[i]!;
    await reachRulesPage(terminal, plan.centre, code, i);
    await startAndOpenFirstQuestion(terminal);
    candidates[i] = {
      code,
      cookie: terminal.cookieHeader,
      csrf: terminal.csrf!,
      nextPosition: 1,
      built: new Array<number>(plan.questionCount + 1).fill(0),
      acked: new Array<number>(plan.questionCount + 1).fill(0),
    };
  });
  return {
    candidates,
    prepared: { admitted: terminals.length, admissionSeconds, prepared: candidates.length, seconds: (performance.now() - t1) / 1000 },
  };
}

class Kind {
  ok = 0;
  errors = 0;
  errorSamples: string[] = [];
  latencies: number[] = [];

  fail(why: string): void {
    this.errors++;
    if (this.errorSamples.length < 3) this.errorSamples.push(why);
  }

  figures(): KindFigures {
    let max = 0;
    for (const l of this.latencies) if (l > max) max = l;
    return {
      ok: this.ok,
      errors: this.errors,
      errorSamples: this.errorSamples,
      p50: percentile(this.latencies, 50),
      p99: percentile(this.latencies, 99),
      max,
    };
  }
}

/** An exponential gap of mean 1/rate, in ms: the next arrival of a Poisson process. */
const gapMs = (perSecond: number) => (-Math.log(1 - Math.random()) * 1000) / perSecond;

async function step(plan: PeakPlan, agent: http.Agent, candidates: Candidate[], label: string, factor: number, seconds: number): Promise<StepFigures> {
  send({ kind: 'step-start', label });
  const target = { saves: plan.savesPerSecond * factor, pages: plan.pagesPerSecond * factor };
  const rate = target.saves + target.pages;
  const saves = new Kind();
  const pages = new Kind();
  const startLags: number[] = [];
  const url = new URL(plan.url);
  let outstanding = 0;
  let dropped = 0;
  let allSent!: () => void;
  const drained = new Promise<void>((resolve) => (allSent = resolve));
  let scheduling = true;

  const request = (
    kind: Kind,
    scheduledAt: number,
    options: http.RequestOptions,
    body: string | null,
    check: (status: number, body: Buffer, encoding: string | undefined) => Promise<string | null>,
    onOk: () => void,
  ) => {
    outstanding++;
    let settled = false;
    // The response's last byte ends the latency: decoding it for the check is the generator's work.
    let receivedAt = 0;
    const done = (error: string | null) => {
      if (settled) return;
      settled = true;
      outstanding--;
      if (error === null) {
        kind.ok++;
        kind.latencies.push(receivedAt - scheduledAt);
        onOk();
      } else {
        kind.fail(error);
      }
      if (!scheduling && outstanding === 0) allSent();
    };
    const req = http.request({ agent, host: url.hostname, port: url.port, timeout: plan.timeoutSeconds * 1000, ...options }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        receivedAt = performance.now();
        check(res.statusCode ?? 0, Buffer.concat(chunks), res.headers['content-encoding']).then(done, (err: unknown) => done(String(err)));
      });
      res.on('error', (err) => done(err.message));
    });
    req.on('socket', () => startLags.push(performance.now() - scheduledAt));
    req.on('timeout', () => req.destroy(new Error(`no response within ${plan.timeoutSeconds} s`)));
    req.on('error', (err) => done(err.message));
    req.end(body ?? undefined);
  };

  const save = (scheduledAt: number) => {
    const c = candidates[Math.floor(Math.random() * candidates.length)]!;
    const position = c.nextPosition;
    c.nextPosition = (position % plan.questionCount) + 1;
    const seq = ++c.built[position]!;
    const fields: Record<string, string> = { _csrf: c.csrf, seq: String(seq), choix: CHOICES[seq % CHOICES.length]! };
    if (seq % 7 === 0) fields.revoir = 'oui';
    const body = new URLSearchParams(fields).toString();
    request(
      saves,
      scheduledAt,
      {
        method: 'POST',
        path: `/examen/question/${position}`,
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'content-length': Buffer.byteLength(body),
          cookie: c.cookie,
          'hx-request': 'true',
          'x-csrf-token': c.csrf,
          'accept-encoding': ACCEPT_ENCODING,
        },
      },
      body,
      async (status, raw, encoding) => {
        const text = encoding ? (await decoders[encoding]!(raw)).toString() : raw.toString();
        return status === 200 && text === SAVED_FRAGMENT ? null : `save: ${status} ${text.slice(0, 120)}`;
      },
      () => {
        c.acked[position] = Math.max(c.acked[position]!, seq);
      },
    );
  };

  const page = (scheduledAt: number) => {
    const c = candidates[Math.floor(Math.random() * candidates.length)]!;
    const position = 1 + Math.floor(Math.random() * plan.questionCount);
    request(
      pages,
      scheduledAt,
      { method: 'GET', path: `/examen/question/${position}`, headers: { cookie: c.cookie, 'accept-encoding': ACCEPT_ENCODING } },
      null,
      async (status, raw, encoding) => {
        const decode = encoding ? decoders[encoding] : undefined;
        if (encoding && !decode) return `page: unknown encoding ${encoding}`;
        const text = decode ? (await decode(raw)).toString() : raw.toString();
        return status === 200 && text.includes('name="seq"') ? null : `page: ${status} ${text.replace(/\s+/g, ' ').slice(0, 120)}`;
      },
      () => undefined,
    );
  };

  const started = performance.now();
  const end = started + seconds * 1000;
  let next = started + gapMs(rate);
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      while (next <= now && next < end) {
        const isSave = Math.random() * rate < target.saves;
        if (outstanding >= plan.maxOutstanding) {
          dropped++;
          (isSave ? saves : pages).fail(`dropped: ${plan.maxOutstanding} requests in flight`);
        } else if (isSave) {
          save(next);
        } else {
          page(next);
        }
        next += gapMs(rate);
      }
      if (next >= end) resolve();
      else setTimeout(tick, Math.max(0, Math.min(next - performance.now(), 1)));
    };
    tick();
  });
  const windowEnd = performance.now();
  scheduling = false;
  if (outstanding === 0) allSent();
  await drained;
  send({ kind: 'step-end', label });
  const figures = { saves: saves.figures(), pages: pages.figures() };
  return {
    label,
    factor,
    seconds,
    targetSavesPerSecond: target.saves,
    targetPagesPerSecond: target.pages,
    ...figures,
    startLagP99: percentile(startLags, 99),
    dropped,
    drainMs: performance.now() - windowEnd,
    passed: figures.saves.errors === 0 && figures.pages.errors === 0 && figures.saves.p99 <= plan.p99LimitMs && figures.pages.p99 <= plan.p99LimitMs,
  };
}

function describeStep(s: StepFigures): string {
  const kind = (name: string, k: KindFigures, perSecond: number) =>
    `${name} ${Math.round(k.ok / s.seconds)}/s of ${Math.round(perSecond)} (p50 ${k.p50.toFixed(1)} · p99 ${k.p99.toFixed(1)} ms${k.errors ? `, ${k.errors} errors` : ''})`;
  return `  ${s.label.padEnd(9)} ${kind('saves', s.saves, s.targetSavesPerSecond)}, ${kind('pages', s.pages, s.targetPagesPerSecond)} → ${s.passed ? 'within' : 'PAST'} the limit`;
}

async function run(plan: PeakPlan): Promise<PeakResult> {
  const { candidates, prepared } = await prepare(plan);
  console.log(
    `  ${prepared.admitted} terminals admitted in ${prepared.admissionSeconds.toFixed(1)} s; ${prepared.prepared} exams started through the kiosk flow in ${prepared.seconds.toFixed(1)} s`,
  );
  const agent = new http.Agent({ keepAlive: true, maxSockets: plan.sockets, maxFreeSockets: plan.sockets });
  try {
    const warmup = await step(plan, agent, candidates, 'warm-up', 1, plan.warmupSeconds);
    console.log(describeStep(warmup));
    const national = await step(plan, agent, candidates, 'national', 1, plan.durationSeconds);
    console.log(describeStep(national));
    const steps: StepFigures[] = [];
    // Up while the load stays within the limit, to the first step past it; or, if the national
    // load is already past it, down to the first step within.
    for (const factor of national.passed ? plan.stepsUp : plan.stepsDown) {
      await sleep(1000);
      const s = await step(plan, agent, candidates, `×${factor}`, factor, plan.stepSeconds);
      console.log(describeStep(s));
      steps.push(s);
      if (s.passed !== national.passed) break;
    }
    return { prepared, national, steps, saveStates: candidates.map((c) => ({ code: c.code, built: c.built, acked: c.acked })) };
  } finally {
    agent.destroy();
  }
}

process.once('message', (plan: PeakPlan) => {
  run(plan).then(
    (result) => send({ kind: 'done', result }),
    (err: unknown) => send({ kind: 'failed', error: err instanceof Error ? (err.stack ?? err.message) : String(err) }),
  );
});
process.on('disconnect', () => process.exit(0));
