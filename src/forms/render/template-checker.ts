import { type Align, type FieldType, TemplateError, type VAlign } from './template';

export const FIELD_TYPES: FieldType[] = ['text', 'date', 'idNumber', 'phone', 'amount', 'table'];
export const ALIGNS: Align[] = ['left', 'center', 'right'];
export const VALIGNS: VAlign[] = ['top', 'middle', 'bottom'];
export const CONTENT_KEYS = ['label', 'field', 'fields', 'text', 'blocks', 'item'] as const;

export type Json = unknown;

/** Reads one template file's JSON value by value; every failure names the source and the bad path. */
export class Checker {
  constructor(private readonly source: string) {}

  fail(path: string, problem: string): never {
    throw new TemplateError(this.source, path, problem);
  }

  object(value: Json, path: string): Record<string, Json> {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      this.fail(path, 'must be an object');
    }
    return value as Record<string, Json>;
  }

  keys(obj: Record<string, Json>, path: string, allowed: string[]): void {
    for (const key of Object.keys(obj)) {
      if (!allowed.includes(key)) {
        this.fail(`${path}.${key}`, `unknown key (allowed: ${allowed.join(', ')})`);
      }
    }
  }

  string(value: Json, path: string, optional = false): string | undefined {
    if (value === undefined && optional) {
      return undefined;
    }
    if (typeof value !== 'string') {
      this.fail(path, 'must be a string');
    }
    return value;
  }

  number(value: Json, path: string, optional = false, min = 0): number | undefined {
    if (value === undefined && optional) {
      return undefined;
    }
    if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
      this.fail(path, `must be a number ≥ ${min}`);
    }
    return value;
  }

  boolean(value: Json, path: string): boolean {
    if (typeof value !== 'boolean') {
      this.fail(path, 'must be true or false');
    }
    return value;
  }

  oneOf<T extends string>(value: Json, path: string, allowed: readonly T[], optional = true): T | undefined {
    if (value === undefined && optional) {
      return undefined;
    }
    if (typeof value !== 'string' || !allowed.includes(value as T)) {
      this.fail(path, `must be one of ${allowed.join(', ')}`);
    }
    return value as T;
  }

  array(value: Json, path: string, optional = false): Json[] {
    if (value === undefined && optional) {
      return [];
    }
    if (!Array.isArray(value)) {
      this.fail(path, 'must be an array');
    }
    return value;
  }
}
