/** What a single non-null CSV value looks like (see ./values.ts). Kinds are exclusive. */
export const Kind = {
  Int: 0,
  Float: 1,
  Inf: 2,
  LeadZero: 3,
  Overflow: 4,
  BigInt: 5,
  Bool: 6,
  /** A date whose day and month are known whatever the column's order: ISO 8601 or a named month (`05-Jan-2020`). */
  DateIso: 7,
  /** A numeric date that fits both day-first and month-first (`01/02/2024`). */
  DateAmbig: 8,
  /** A numeric date that fits day-first only (`13/01/2024`). */
  DateDmy: 9,
  /** A numeric date that fits month-first only (`01/13/2024`). */
  DateMdy: 10,
  Other: 11,
} as const;
/** Number of distinct kinds (size of a per-column kind histogram). */
export const KIND_COUNT = 12;
