/** What went wrong with stored or submitted provider settings. */
export type SettingsErrorCode =
  'invalid_settings' | 'unknown_provider' | 'secret_undecryptable' | 'secret_required';

/**
 * A settings problem the user can fix. `details` names the fields and problems; it never holds a
 * secret value.
 */
export class SettingsError extends Error {
  override readonly name = 'SettingsError';
  constructor(
    readonly code: SettingsErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}
