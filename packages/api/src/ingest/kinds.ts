/** What a single non-null CSV value looks like (see ./values.ts). Kinds are exclusive. */
export const Kind = {
  Int: 0,
  Float: 1,
  Inf: 2,
  LeadZero: 3,
  Overflow: 4,
  BigInt: 5,
  Bool: 6,
  DateIso: 7,
  DateAmbig: 8,
  DateDmy: 9,
  DateMdy: 10,
  Other: 11,
} as const;
/** Number of distinct kinds (size of a per-column kind histogram). */
export const KIND_COUNT = 12;
