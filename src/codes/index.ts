export type {
  AlternativeCode,
  CodeFlag,
  CodeType,
  InvalidCode,
  ParsedCode,
  RejectionReason,
  ValidCode,
} from './types.js';
export type { CodeFamily } from './code-family.js';
export type { ParseCodeOptions } from './parse-code.js';
export { parseCode } from './parse-code.js';
export { equivalentForms } from './equivalent-forms.js';
export { computeCheckDigit, computeIsbn10CheckCharacter, isValidIsbn10 } from './check-digit.js';
export { expandUpcE, isbn10ToIsbn13, isbn13ToIsbn10 } from './conversions.js';
export { isValidAsin } from './is-valid-asin.js';
export { codeFamily } from './code-family.js';
