import { luhnValid } from '../../src/domain/siret.js';

/**
 * A valid SIRET (Luhn key) distinct for each `n`: `first` digit, `n` on four digits, a fixed middle,
 * then the one key digit that makes it valid. Tests of different files pick different first digits.
 */
export function validSiret(n: number, first = '4'): string {
  const prefix = `${first}${String(n).padStart(4, '0')}30618400`;
  for (let key = 0; key <= 9; key += 1) if (luhnValid(prefix + key)) return prefix + key;
  throw new Error(`no Luhn key for ${prefix}`);
}
