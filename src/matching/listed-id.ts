import { expandUpcE, isbn10ToIsbn13, isValidIsbn10 } from '../codes/index.js';

/** One way to read a listed external id as a GTIN-14. */
export interface ListedIdReading {
  gtin14: string;
  /**
   * null: the id is the GTIN itself, at most written with fewer leading zeros (UPC-A
   * `717356278525` is GTIN-14 `00717356278525`). Otherwise the conversion it took: an ISBN-10
   * (`isbn10_equivalent`) or a UPC-E expanded to its UPC-A (`upc_equivalent`).
   */
  conversion: 'isbn10_equivalent' | 'upc_equivalent' | null;
}

/**
 * Readings of one listed external id. Amazon lists EANs as 13 (or 8) digits, UPCs as 12 (or a
 * UPC-E's 8), ISBNs as 10 or 13 characters, sometimes with spaces or hyphens. Check digits are
 * not re-verified: the searched code was validated, so only an identical number can match it.
 * The conversions are the codes module's. Unusable ids give no reading.
 */
export function readListedId(raw: string, list: 'eans' | 'upcs' | 'isbns'): ListedIdReading[] {
  const id = raw.replace(/[\s-]/g, '').toUpperCase();
  if (/^\d{9}[\dX]$/.test(id) && (id.endsWith('X') || isValidIsbn10(id))) {
    return [{ gtin14: `0${isbn10ToIsbn13(id)}`, conversion: 'isbn10_equivalent' }];
  }
  if (!/^(\d{8}|\d{12,14})$/.test(id)) return [];
  const readings: ListedIdReading[] = [{ gtin14: id.padStart(14, '0'), conversion: null }];
  const upcA = id.length === 8 && list === 'upcs' ? expandUpcE(id) : undefined;
  if (upcA) readings.push({ gtin14: upcA.padStart(14, '0'), conversion: 'upc_equivalent' });
  return readings;
}
