/**
 * Contract of the codes module (GTIN parsing, validation, normalisation). Other modules
 * (files, jobs, matching, emulator) depend on these types only.
 */
export type CodeType =
  'EAN-13' | 'EAN-8' | 'UPC-A' | 'UPC-E' | 'ISBN-13' | 'ISBN-10' | 'ISSN' | 'GTIN-14' | 'JAN';

export type CodeFlag =
  'ambiguous_8_digit' | 'case_pack' | 'repaired_leading_zeros' | 'cleaned' | 'numeric_cell';

export type RejectionReason =
  | 'empty'
  | 'non_numeric'
  | 'scientific_notation'
  | 'bad_length'
  | 'bad_check_digit'
  | 'restricted_prefix'
  | 'variable_measure';

export interface ValidCode {
  valid: true;
  /** The cell as given. */
  raw: string;
  /** Display form: EAN-13 for 12/13-digit codes (UPC-A gains a leading 0), ISBN-13 for books, EAN-8 for EAN-8, GTIN-14 for case packs. */
  code: string;
  /** Identity for de-duplication and cache keys: 14 digits. */
  gtin14: string;
  type: CodeType;
  flags: CodeFlag[];
  /** Other forms worth searching or matching on (UPC-A for a 0-prefixed EAN-13, ISBN-10, the unit GTIN of a case pack, the second reading of an ambiguous 8-digit code). */
  alternatives: AlternativeCode[];
}

export interface AlternativeCode {
  code: string;
  gtin14: string;
  type: CodeType;
  /** Why it is an alternative: `upc_equivalent`, `isbn10_equivalent`, `case_pack_unit`, `ambiguous_8_digit`. */
  relation: string;
}

export interface InvalidCode {
  valid: false;
  raw: string;
  reason: RejectionReason;
  /** One sentence saying what is wrong and what to do. */
  message: string;
  /** The cleaned digits, when there were any. */
  digits?: string;
}

export type ParsedCode = ValidCode | InvalidCode;
