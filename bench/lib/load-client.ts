import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Envelope, LoadRequest, LoadResponse, Reply } from './protocol.js';

const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const LOAD_PROCESS = fileURLToPath(new URL('./load-process.ts', import.meta.url));

export interface LoadClient {
  call<R extends LoadRequest>(request: R): Promise<LoadResponse<R['kind']>>;
  close(): Promise<void>;
}

/** Starts the load process (TypeScript through tsx) and talks to it over IPC. */
export async function startLoadClient(): Promise<LoadClient> {
  const child: ChildProcess = fork(LOAD_PROCESS, [], { cwd: PROJECT_ROOT, execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const pending = new Map<number, { resolve(value: unknown): void; reject(err: Error): void }>();
  let nextId = 1;
  let exited = false;

  child.on('message', (reply: Reply) => {
    const waiter = pending.get(reply.id);
    if (!waiter) return;
    pending.delete(reply.id);
    if (reply.ok) waiter.resolve(reply.value);
    else waiter.reject(new Error(`load process: ${reply.error}`));
  });
  const exit = new Promise<void>((resolve) => {
    child.on('exit', (code, signal) => {
      exited = true;
      for (const waiter of pending.values()) waiter.reject(new Error(`load process exited (${code ?? signal})`));
      pending.clear();
      resolve();
    });
  });
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', reject);
  });

  return {
    call<R extends LoadRequest>(request: R) {
      if (exited) return Promise.reject(new Error('load process is gone'));
      const id = nextId++;
      return new Promise<LoadResponse<R['kind']>>((resolve, reject) => {
        pending.set(id, { resolve: resolve, reject });
        child.send({ id, request } satisfies Envelope);
      });
    },
    async close() {
      if (exited) return;
      child.disconnect();
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exit;
      clearTimeout(timer);
    },
  };
}
