/** Raised when the environment holds a value the service cannot start with. */
export class ConfigError extends Error {
  readonly code = 'config_invalid';
  constructor(
    message: string,
    readonly problems: readonly ConfigProblem[],
  ) {
    super(message);
    this.name = 'ConfigError';
  }
}

export interface ConfigProblem {
  variable: string;
  problem: string;
  expected: string;
}
