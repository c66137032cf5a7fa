/**
 * Helpers shared by the fitted preprocessing steps: column selection with errors that name
 * the node and field, kernel option errors turned into param errors, and the report of
 * categories seen at prediction time but not in training.
 */
import { KernelError } from '@weft/kernels';
import { WeftError } from '@weft/proto';
import type { FeatureColumn, Frame } from '../frame.js';

/** What applying steps noticed in the data (unseen categories at prediction time). */
export interface ApplyReport {
  /** Per column: rows with a category not seen in training, up to 20 of those values, and what they were encoded as (default: all zeros, one-hot). */
  unseenCategories: Record<string, { count: number; values: string[]; encodedAs?: string }>;
  missingCategories: Record<string, number>;
}

/**
 * The columns a step reads: `names` (each must be a feature at this point, else
 * WORKFLOW_INVALID naming `params.columns.i`), or every feature passing `ok`.
 */
export function pick(frame: Frame, names: string[] | undefined, nodeId: string, ok: (f: FeatureColumn) => boolean): FeatureColumn[] {
  if (!names) return frame.features.filter(ok);
  return names.map((n, i) => {
    const f = frame.features.find((x) => x.name === n);
    if (!f) {
      throw new WeftError('WORKFLOW_INVALID', `Node "${nodeId}": params.columns.${i} names "${n}", which is not a feature at this point`, {
        nodeId,
        field: `params.columns.${i}`,
      });
    }
    return f;
  });
}

/** As `pick`, and a named column of another kind than `kind` is WORKFLOW_INVALID naming `params.columns.i`. */
export function pickKind(frame: Frame, names: string[] | undefined, nodeId: string, kind: FeatureColumn['kind'], label: string, ok: (f: FeatureColumn) => boolean = () => true): FeatureColumn[] {
  const cols = pick(frame, names, nodeId, (f) => f.kind === kind && ok(f));
  cols.forEach((f, i) => {
    if (f.kind !== kind) {
      throw new WeftError('WORKFLOW_INVALID', `Node "${nodeId}": column "${f.name}" is ${f.kind}; ${label} takes ${kind} columns`, { nodeId, field: `params.columns.${i}`, column: f.name });
    }
  });
  return cols;
}

/**
 * Runs a kernel fit; a KernelError whose details name an option (`details.field`) becomes
 * WORKFLOW_INVALID naming `params.<field>` of the node.
 */
export function withParamErrors<T>(nodeId: string, fit: () => T): T {
  try {
    return fit();
  } catch (err) {
    const field = err instanceof KernelError ? (err.details as { field?: unknown } | undefined)?.field : undefined;
    if (typeof field === 'string') {
      throw new WeftError('WORKFLOW_INVALID', `Node "${nodeId}": ${err instanceof Error ? err.message.replace(/^INVALID_INPUT: \w+: /, '') : String(err)}`, { nodeId, field: `params.${field}` });
    }
    throw err;
  }
}

/** Looks a column up by name for applying a step. @throws WeftError PREDICT_COLUMN_MISSING */
export function columnGetter(frame: Frame, nodeId: string): (name: string) => FeatureColumn {
  const byName = new Map(frame.features.map((f) => [f.name, f]));
  return (name) => {
    const f = byName.get(name);
    if (!f) throw new WeftError('PREDICT_COLUMN_MISSING', `Column "${name}" needed by step "${nodeId}" is missing from the input`, { column: name });
    return f;
  };
}

/** Records up to 20 values of `f` (categorical) that are not in `known`. */
export function reportUnseen(report: ApplyReport | undefined, f: FeatureColumn, known: ReadonlySet<string>, count: number, encodedAs?: string): void {
  if (!report || count === 0 || f.kind !== 'categorical') return;
  const c = f.column as { codes: Int32Array; dictionary: string[]; valid: Uint8Array | null };
  const values = new Set<string>();
  for (let i = 0; i < c.codes.length && values.size < 20; i++) {
    const code = c.codes[i]!;
    if (code >= 0 && (c.valid === null || c.valid[i] === 1) && !known.has(c.dictionary[code]!)) values.add(c.dictionary[code]!);
  }
  report.unseenCategories[f.name] = { count, values: [...values], ...(encodedAs ? { encodedAs } : {}) };
}
