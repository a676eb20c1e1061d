/**
 * The bare reference in a process of its own (startBareServer), for the benchmarks whose servers
 * are processes behind nginx: it then pays what they pay (a process, a proxy) and no more. Started
 * by topology.ts; sends its address to the parent once listening, and ends when the parent
 * disconnects.
 */
import { startBareServer } from './servers.js';

const bare = await startBareServer();
process.send!(bare.url);
process.on('disconnect', () => {
  void bare.close().then(() => process.exit(0));
});
