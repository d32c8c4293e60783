import { expandUpcE, isbn10ToIsbn13, isValidIsbn10, parseCode } from '../../codes/index.js';
import type { CodeType } from '../../codes/index.js';

/** `identifiersType` values a code can be searched with (reference §3.3). */
export type SpapiIdentifierType = 'EAN' | 'UPC' | 'ISBN' | 'GTIN';

const TYPE_OF: Readonly<Record<CodeType, SpapiIdentifierType>> = Object.freeze({
  'EAN-13': 'EAN',
  'EAN-8': 'EAN',
  JAN: 'EAN',
  // An ISSN is searched as its 977 EAN-13 (the form the codes module gives it).
  ISSN: 'EAN',
  'UPC-A': 'UPC',
  'UPC-E': 'UPC',
  'ISBN-13': 'ISBN',
  'ISBN-10': 'ISBN',
  'GTIN-14': 'GTIN',
});

/** A requested code as it is sent and joined. */
export interface WireCode {
  /** The code as the caller gave it (the key of the outcome). */
  code: string;
  type: SpapiIdentifierType;
  /** What goes into `identifiers`. */
  identifier: string;
  /** The join key. */
  gtin14: string;
}

/**
 * How a code is sent: EAN-13/EAN-8 → EAN, UPC-A/UPC-E → UPC (12 digits), ISBN → ISBN (13
 * digits), GTIN-14 → GTIN. Null for a code the codes module rejects (never sent).
 */
export function wireCode(code: string): WireCode | null {
  const p = parseCode(code);
  if (!p.valid) return null;
  const type = TYPE_OF[p.type];
  const identifier = type === 'UPC' ? p.gtin14.slice(2) : p.code;
  return { code, type, identifier, gtin14: p.gtin14 };
}

/** The batch key: codes of different identifier types never share a request. */
export function batchKeyOf(code: string): string {
  return wireCode(code)?.type ?? 'EAN';
}

/**
 * GTIN-14 readings of one identifier an item lists. Amazon normalises the GTIN family, so a
 * UPC listed as 12 digits, an EAN as 13 and a GTIN as 14 all meet the same requested code; an
 * ISBN-10 meets its 978 ISBN-13; an 8-digit UPC is a UPC-E, read as its UPC-A too.
 */
export function listedGtin14s(raw: string, identifierType: string): string[] {
  const id = raw.replace(/[\s-]/g, '').toUpperCase();
  if (/^\d{9}[\dX]$/.test(id) && isValidIsbn10(id)) return [`0${isbn10ToIsbn13(id)}`];
  if (!/^(\d{8}|\d{12,14})$/.test(id)) return [];
  const out = [id.padStart(14, '0')];
  const upcA = id.length === 8 && identifierType === 'UPC' ? expandUpcE(id) : undefined;
  if (upcA) out.push(upcA.padStart(14, '0'));
  return out;
}
