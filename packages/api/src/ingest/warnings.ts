/** Dataset warnings derived from the plan and the profile, in column order. */
import type { ColumnProfile, DatasetWarning } from '@weft/proto';
import type { ColumnPlan } from './infer.js';

/** Categoricals with more categories than this get HIGH_CARDINALITY. */
export const HIGH_CARDINALITY_CATEGORIES = 100;

export interface ColumnFacts {
  plan: ColumnPlan;
  profile: ColumnProfile;
  invalidCount: number;
  invalidLines: number[];
}

/** CONSTANT_COLUMN, ALL_MISSING, INVALID_VALUES, INFINITE_VALUES, DATE_ORDER_ASSUMED, LIKELY_IDENTIFIER, HIGH_CARDINALITY per column. */
export function columnWarnings(cols: readonly ColumnFacts[], rowCount: number): DatasetWarning[] {
  const out: DatasetWarning[] = [];
  for (const { plan, profile: p, invalidCount, invalidLines } of cols) {
    const column = plan.name;
    if (rowCount > 0 && p.count === 0) {
      out.push({ code: 'ALL_MISSING', column, message: `Column "${column}" has no values in ${rowCount} rows.` });
    } else if (p.count > 0 && p.missing === 0 && p.distinct === 1) {
      const v = plan.type === 'boolean' ? String((p.trueCount ?? 0) > 0) : (p.topCategories?.[0]?.value ?? p.min);
      out.push({ code: 'CONSTANT_COLUMN', column, message: `Column "${column}" has the same value (${String(v)}) in every row.` });
    }
    if (invalidCount > 0) {
      out.push({
        code: 'INVALID_VALUES',
        column,
        rows: invalidLines,
        message: `Column "${column}" is ${plan.type} but ${invalidCount} value${invalidCount === 1 ? '' : 's'} did not fit (stored as missing), first at line${invalidLines.length === 1 ? '' : 's'} ${invalidLines.join(', ')}.`,
      });
    }
    const infinite = (p.positiveInfinity ?? 0) + (p.negativeInfinity ?? 0);
    if (infinite > 0) {
      out.push({
        code: 'INFINITE_VALUES',
        column,
        message: `Column "${column}" has ${infinite} infinite value${infinite === 1 ? '' : 's'} (inf, -inf); models cannot take them: add a clip node, or upload with those tokens in nullTokens and impute.`,
      });
    }
    if (plan.type === 'datetime' && plan.dateOrderAssumed) {
      out.push({
        code: 'DATE_ORDER_ASSUMED',
        column,
        message: `Column "${column}": every date could be day-first or month-first (like 01/02/2020); they were read month-first (MM/DD). If they are day-first, upload with the column typed as text and derive the dates, or write them as ISO 8601 (YYYY-MM-DD).`,
      });
    }
    if (plan.type === 'identifier') {
      out.push({ code: 'LIKELY_IDENTIFIER', column, message: `Column "${column}" looks like an identifier (${p.distinct} distinct values in ${p.count}); it is not a useful feature.` });
    } else if (plan.type === 'categorical' && (plan.categories?.length ?? 0) > HIGH_CARDINALITY_CATEGORIES) {
      out.push({ code: 'HIGH_CARDINALITY', column, message: `Column "${column}" has ${plan.categories!.length} categories.` });
    } else if (plan.type === 'text') {
      out.push({ code: 'HIGH_CARDINALITY', column, message: `Column "${column}" is free text (${p.distinct} distinct values); models do not use it directly.` });
    }
  }
  return out;
}

/**
 * ENCODING_WINDOWS_1252: the file was not UTF-8 (first invalid byte `byte` at byte `offset`, on
 * 1-based `line`) and held no UTF-8 characters, so it was read as Windows-1252.
 */
export function windows1252Warning(offset: number, line: number, byte: number): DatasetWarning {
  const hex = byte >= 0 ? ` (0x${byte.toString(16).toUpperCase().padStart(2, '0')})` : '';
  return {
    code: 'ENCODING_WINDOWS_1252',
    message: `The file is not UTF-8 (first non-UTF-8 byte${hex} at byte ${offset}, line ${line}); it was read as Windows-1252. Check that accented letters and symbols look right, or upload it saved as UTF-8.`,
    rows: [line],
  };
}
