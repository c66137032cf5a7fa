/**
 * Client-side checks of params against a node type's JSON Schema, for inline messages
 * while typing (the server's validation stays the authority).
 */
import type { JsonSchema } from '../api/types';

export function typesOf(s: JsonSchema): string[] {
  if (Array.isArray(s.type)) return s.type;
  if (s.type) return [s.type];
  if (s.anyOf) return s.anyOf.flatMap(typesOf);
  return [];
}

/** The message for one field's value, or null when it fits. */
export function checkField(s: JsonSchema, value: unknown, required: boolean): string | null {
  if (value === undefined || value === null || value === '') return required ? 'Required' : null;
  const types = typesOf(s);
  if (s.enum && !s.enum.includes(value as string | number)) return `Must be one of ${s.enum.join(', ')}`;
  if (typeof value === 'number') {
    if (!types.includes('number') && !types.includes('integer')) return 'Must not be a number';
    if (!Number.isFinite(value)) return 'Must be a finite number';
    if (types.includes('integer') && !types.includes('number') && !Number.isInteger(value)) return 'Must be a whole number';
    if (s.minimum !== undefined && value < s.minimum) return `Must be ≥ ${s.minimum}`;
    if (s.exclusiveMinimum !== undefined && value <= s.exclusiveMinimum) return `Must be > ${s.exclusiveMinimum}`;
    if (s.maximum !== undefined && value > s.maximum) return `Must be ≤ ${s.maximum}`;
    if (s.exclusiveMaximum !== undefined && value >= s.exclusiveMaximum) return `Must be < ${s.exclusiveMaximum}`;
    return null;
  }
  if (typeof value === 'string') {
    if (!types.includes('string')) return types.includes('number') || types.includes('integer') ? 'Must be a number' : 'Wrong kind of value';
    if (s.minLength !== undefined && value.length < s.minLength) return `At least ${s.minLength} characters`;
    if (s.maxLength !== undefined && value.length > s.maxLength) return `At most ${s.maxLength} characters`;
    return null;
  }
  if (typeof value === 'boolean') return types.includes('boolean') ? null : 'Wrong kind of value';
  if (Array.isArray(value)) {
    if (!types.includes('array')) return 'Wrong kind of value';
    if (s.maxItems !== undefined && value.length > s.maxItems) return `At most ${s.maxItems} items`;
    return null;
  }
  return null;
}

/** Every field problem of `params`, keyed by property name. */
export function checkParams(schema: JsonSchema, params: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  const req = new Set(schema.required ?? []);
  for (const [k, s] of Object.entries(schema.properties ?? {})) {
    const m = checkField(s, params[k], req.has(k));
    if (m) out[k] = m;
  }
  return out;
}

/** "testFraction" → "Test fraction", "maxIter" → "Max iter", "C" → "C". */
export function humanize(name: string): string {
  if (name.length <= 2) return name;
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_-]+/g, ' ')
    .toLowerCase();
  const s = words.replace(/\bid\b/, '').trim() || words;
  return s.charAt(0).toUpperCase() + s.slice(1);
}
