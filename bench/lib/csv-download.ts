/**
 * A CSV download played by a process of its own, so that the memory the benchmark samples in its own
 * process is the server's alone: the child fetches the file over HTTP as a browser does (the
 * manager's cookie, the encodings it is told to accept), reads it as a stream and keeps nothing of it but counts. Used
 * by bench/results.ts: `startDownloader()` in the parent forks this same file (through tsx).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';

export interface DownloadRequest {
  url: string;
  cookie: string;
  /** What the client accepts: `gzip, deflate, br` as a browser (the server then picks br), `gzip`, or `identity`. */
  acceptEncoding: string;
  /** Sent as `x-bench-request`, so that the server side can tell which request its hook saw. */
  requestId: string;
}

export interface DownloadFigures {
  status: number;
  contentType: string | null;
  contentEncoding: string | null;
  transferEncoding: string | null;
  contentLength: string | null;
  /** Epoch milliseconds (performance.timeOrigin + now: comparable across the two processes). */
  startAt: number;
  headersAt: number;
  firstByteAt: number | null;
  endAt: number;
  /** Body bytes once decoded, and the chunks they came in. */
  bytes: number;
  chunks: number;
  /** Lines ended outside quotes, the header's included. */
  lines: number;
  /** The body starts with the UTF-8 byte order mark, then this header line. */
  bom: boolean;
  header: string;
}

const now = () => performance.timeOrigin + performance.now();

async function download(request: DownloadRequest): Promise<DownloadFigures> {
  const startAt = now();
  const res = await fetch(request.url, {
    headers: { cookie: request.cookie, 'accept-encoding': request.acceptEncoding, 'x-bench-request': request.requestId },
    redirect: 'manual',
  });
  const headersAt = now();
  let firstByteAt: number | null = null;
  let bytes = 0;
  let chunks = 0;
  let lines = 0;
  let inQuotes = false;
  const head: number[] = [];
  if (res.body) {
    const reader = res.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      firstByteAt ??= now();
      chunks++;
      bytes += value.length;
      for (let i = 0; i < value.length; i++) {
        const b = value[i]!;
        if (head.length < 400) head.push(b);
        if (b === 0x22) inQuotes = !inQuotes;
        else if (b === 0x0a && !inQuotes) lines++;
      }
    }
  }
  const text = Buffer.from(head).toString('utf8');
  const bom = text.startsWith('\uFEFF');
  return {
    status: res.status,
    contentType: res.headers.get('content-type'),
    contentEncoding: res.headers.get('content-encoding'),
    transferEncoding: res.headers.get('transfer-encoding'),
    contentLength: res.headers.get('content-length'),
    startAt,
    headersAt,
    firstByteAt,
    endAt: now(),
    bytes,
    chunks,
    lines,
    bom,
    header: (bom ? text.slice(1) : text).split('\r\n')[0] ?? '',
  };
}

export interface Downloader {
  download(request: DownloadRequest): Promise<DownloadFigures>;
  close(): Promise<void>;
}

const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SELF = fileURLToPath(import.meta.url);

/** Forks the download process; one download at a time. */
export async function startDownloader(): Promise<Downloader> {
  const child: ChildProcess = fork(SELF, [], { cwd: PROJECT_ROOT, execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', reject);
  });
  const exit = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let pending: { resolve(f: DownloadFigures): void; reject(err: Error): void } | null = null;
  child.on('message', (reply: { ok: true; figures: DownloadFigures } | { ok: false; error: string }) => {
    const waiter = pending;
    pending = null;
    if (reply.ok) waiter?.resolve(reply.figures);
    else waiter?.reject(new Error(`download process: ${reply.error}`));
  });
  void exit.then(() => pending?.reject(new Error('download process exited')));
  return {
    download(request) {
      if (pending) return Promise.reject(new Error('one download at a time'));
      return new Promise<DownloadFigures>((resolve, reject) => {
        pending = { resolve, reject };
        child.send(request);
      });
    },
    async close() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.disconnect();
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exit;
      clearTimeout(timer);
    },
  };
}

// The child: downloads what the parent asks, one request at a time, until the channel closes.
if (process.send && process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.on('message', (request: DownloadRequest) => {
    download(request).then(
      (figures) => process.send!({ ok: true, figures }),
      (err: unknown) => process.send!({ ok: false, error: err instanceof Error ? err.message : String(err) }),
    );
  });
}
