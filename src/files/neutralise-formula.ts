import type { Cell } from './table-row.js';

const TRIGGERS = new Set(['=', '+', '-', '@', '\t', '\r']);
/** A plain signed number: "-12.5", "+3", "-1,5", "1e5". Spreadsheets read these as numbers only. */
const SIGNED_NUMBER = /^[+-]?(\d+([.,]\d+)*|\d*[.,]\d+)([eE][+-]?\d+)?$/;
/**
 * A phone-like number: "+33 1 23 45 67 89", "+1 (555) 010-9999". Digits, spaces, parentheses,
 * dots and dashes only: no letter, so no function name, DDE call (`cmd|`) or cell reference,
 * which is what a formula injection needs. Prefixing these would corrupt real data.
 */
const PHONE_LIKE = /^\+\d[\d ().-]*$/;

/**
 * Neutralises a cell against formula injection (CSV injection) before it goes into a CSV or
 * XLSX: text starting with `=`, `+`, `-`, `@`, tab or carriage return gets a leading `'`, so
 * Excel, LibreOffice and Google Sheets show it as text instead of evaluating it. Numbers, plain
 * signed numbers and phone-like numbers are left as they are.
 */
export function neutraliseFormula(cell: Cell): Cell {
  if (typeof cell !== 'string' || cell.length === 0) return cell;
  if (!TRIGGERS.has(cell.charAt(0))) return cell;
  if (SIGNED_NUMBER.test(cell) || PHONE_LIKE.test(cell)) return cell;
  return `'${cell}`;
}
