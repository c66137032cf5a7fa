/**
 * Builds the feature frame and the target of a pipeline from an Arrow table and the
 * dataset node's params (target, features, ignore) and the stored schema (types, roles).
 */
import type { Table } from 'apache-arrow';
import type { ColumnSchema, DatasetSchema } from '@weft/proto';
import { WeftError } from '@weft/proto';
import { ColumnKind, FeatureColumn, Frame } from './frame.js';
import { categoricalColumn, numericColumn } from './load.js';

const NUMERIC = new Set(['integer', 'float', 'boolean']);
const CATEGORICAL = new Set(['categorical']);

export interface DatasetParamsIn {
  target?: string;
  features?: string[];
  ignore?: string[];
}

/**
 * Which schema columns feed the pipeline, and why others were left out (warnings). Datetime
 * columns are taken only when `steps` hold a `datetime_features` node that reads them (its
 * `columns`, or every datetime column); elsewhere they need that node and are left out.
 */
export function chooseFeatures(schema: DatasetSchema, p: DatasetParamsIn, steps: ReadonlyArray<{ type: string; params: unknown }> = []): { columns: ColumnSchema[]; warnings: string[] } {
  const warnings: string[] = [];
  const ignore = new Set(p.ignore ?? []);
  const wanted = p.features ? new Set(p.features) : null;
  const dtNodes = steps.filter((s) => s.type === 'datetime_features').map((s) => (s.params as { columns?: string[] }).columns);
  const dtWanted = (name: string) => dtNodes.some((cols) => !cols || cols.includes(name));
  const columns: ColumnSchema[] = [];
  for (const c of schema.columns) {
    if (c.name === p.target || ignore.has(c.name)) continue;
    if (wanted ? !wanted.has(c.name) : c.role === 'ignore' || c.role === 'target') continue;
    if (NUMERIC.has(c.type) || CATEGORICAL.has(c.type) || (c.type === 'datetime' && dtWanted(c.name))) columns.push(c);
    else warnings.push(`column "${c.name}" (${c.type}) is not used as a feature: ${c.type} columns need a feature-extraction step`);
  }
  if (columns.length === 0) {
    throw new WeftError('NO_FEATURES', `No usable feature columns: every column is the target, ignored, or of a type models cannot take (text, identifier, datetime)`);
  }
  return { columns, warnings };
}

/** Reads the chosen columns from the table into a frame (all rows). */
export function frameFromTable(table: Table, columns: Array<{ name: string; kind: ColumnKind }>): Frame {
  const features: FeatureColumn[] = columns.map((c) => {
    const vec = table.getChild(c.name);
    if (!vec) throw new WeftError('PREDICT_COLUMN_MISSING', `Column "${c.name}" is missing from the data`, { column: c.name });
    return c.kind === 'categorical' ? { name: c.name, kind: 'categorical', column: categoricalColumn(vec) } : { name: c.name, kind: c.kind, column: numericColumn(vec) };
  });
  return { nRows: table.numRows, features };
}

/** How a schema column is read into a frame. */
export function kindOf(c: ColumnSchema): ColumnKind {
  return NUMERIC.has(c.type) ? 'numeric' : c.type === 'datetime' ? 'datetime' : 'categorical';
}
