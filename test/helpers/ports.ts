import { createServer } from 'node:net';

/**
 * A loopback port free now: for an app whose PUBLIC_URL must be known before it listens (the
 * identity providers in the tests register its return addresses first).
 */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (typeof address !== 'object' || !address) throw new Error('no free port');
  return address.port;
}
