import type { RejectionReason } from './types.js';

/** A reading that failed: the reason code and one sentence saying what to do. */
export interface Rejection {
  reason: RejectionReason;
  message: string;
}

/** Builds a rejection. */
export function reject(reason: RejectionReason, message: string): Rejection {
  return { reason, message };
}

/** True when a reading result is a rejection. */
export function isRejection<T extends object>(result: T | Rejection): result is Rejection {
  return 'reason' in result;
}

/** Messages of the rejections, one place so their wording stays consistent. */
export const messages = {
  empty: (): string => 'The cell is empty: enter an EAN, UPC, ISBN or GTIN, or remove the row.',
  nonNumeric: (text: string, offending: string): string =>
    `"${text}" contains "${offending}", but a barcode has only digits (an ISBN-10 may end in X): ` +
    'check that the right column is selected and that the cell holds only the code.',
  notWholeNumber: (text: string): string =>
    `${text} is not a whole positive number, so it cannot be a barcode: ` +
    'check that the right column is selected.',
  scientific: (text: string): string =>
    `"${text}" is in scientific notation, so its last digits are lost: in Excel, format the ` +
    'column as Text and re-enter or re-import the codes (or use a CSV export that keeps all ' +
    'the digits), then upload the file again.',
  badLength: (digits: string): string =>
    `${digits} has ${digits.length} digit${digits.length === 1 ? '' : 's'}, but a barcode has 8 (EAN-8, UPC-E), 10 (ISBN-10), ` +
    '12 (UPC-A), 13 (EAN-13, ISBN-13) or 14 (GTIN-14): check for missing or extra digits.',
  badCheck: (what: string, actual: string, expected: string, extra = ''): string =>
    `${what}: check digit is ${actual}, expected ${expected}${extra}; ` +
    'the code has a typing or scanning error: correct it from the product packaging.',
  restricted: (ean: string, prefix: string, use: string): string =>
    `${ean} starts with ${prefix}, ${use}, which GS1 reserves for use inside one company ` +
    'or store and no marketplace lists: use the manufacturer barcode printed on the product.',
  restrictedEan8: (ean8: string): string =>
    `${ean8} is an RCN-8 (EAN-8 starting with ${ean8.charAt(0)}), a restricted number a ` +
    'retailer assigns for its own stores that no marketplace lists: use the manufacturer ' +
    'barcode printed on the product.',
  variableMeasure: (gtin14: string): string =>
    `${gtin14} is a GTIN-14 with indicator 9, a variable-measure item (weight or price varies) ` +
    'that has no fixed listing: use the barcode of the fixed-measure consumer unit instead.',
} as const;
