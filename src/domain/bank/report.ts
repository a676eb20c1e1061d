/**
 * How problems are collected: every one of them, each with where it is (see domain/bank.ts), so
 * that a reader never stops at the first.
 */
import type { BankError } from './model.js';

export function describeBankError(e: BankError): string {
  return e.where === null ? e.message : `${e.where} : ${e.message}`;
}

/** Reports problems at one place. */
export class Reporter {
  constructor(
    private readonly errors: BankError[],
    readonly where: string | null,
  ) {}
  count = 0;
  error(message: string): undefined {
    this.errors.push({ where: this.where, message });
    this.count++;
    return undefined;
  }
}

export function missing(r: Reporter, label: string): undefined {
  return r.error(`Champ obligatoire ${label} manquant.`);
}

/** Null unless every field was read; a field left undefined has already been reported. */
export function complete<T extends object>(fields: { [K in keyof T]: T[K] | undefined }): T | null {
  return Object.values(fields).some((v) => v === undefined) ? null : (fields as T);
}
