/**
 * A small deterministic random source, so that a draw can be reproduced from its seed alone
 * (audit, tests). sfc32 (Chris Doty-Humphrey's Small Fast Counting generator) passes PractRand
 * and needs only 32-bit integer operations; SHA-256 spreads any seed string, however short or
 * similar to another, over its 128 bits of state.
 *
 * Changing this algorithm changes every draw made from a stored seed: keep it stable.
 */
import { createHash } from 'node:crypto';

export interface SeededRandom {
  /** Uniform integer in [0, 2^32). */
  nextUint32(): number;
  /** Uniform integer in [0, bound), without modulo bias. */
  nextInt(bound: number): number;
}

const TWO_POW_32 = 0x1_0000_0000;

export function createSeededRandom(seed: string): SeededRandom {
  const digest = createHash('sha256').update(seed, 'utf8').digest();
  let a = digest.readUInt32BE(0);
  let b = digest.readUInt32BE(4);
  let c = digest.readUInt32BE(8);
  let d = digest.readUInt32BE(12);

  const nextUint32 = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };

  // The reference implementation discards its first outputs so that related seeds diverge.
  for (let i = 0; i < 15; i++) nextUint32();

  const nextInt = (bound: number): number => {
    if (!Number.isInteger(bound) || bound < 1 || bound > TWO_POW_32) {
      throw new RangeError(`bound must be an integer in [1, 2^32], got ${bound}`);
    }
    // Rejecting the top partial block keeps every residue equally likely.
    const limit = TWO_POW_32 - (TWO_POW_32 % bound);
    for (;;) {
      const x = nextUint32();
      if (x < limit) return x % bound;
    }
  };

  return { nextUint32, nextInt };
}

/** Fisher–Yates: a uniformly random permutation, as a new array. */
export function shuffle<T>(items: readonly T[], random: SeededRandom): T[] {
  const result = items.slice();
  for (let i = result.length - 1; i > 0; i--) {
    const j = random.nextInt(i + 1);
    const tmp = result[i] as T;
    result[i] = result[j] as T;
    result[j] = tmp;
  }
  return result;
}
