import { AppError } from '../errors/AppError';

/** Thrown at start-up; `problems` names every bad setting, one line each. */
export class ConfigError extends AppError {
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super({ code: 'config_invalid', detail: `Invalid settings:\n  - ${problems.join('\n  - ')}` });
    this.name = 'ConfigError';
    this.problems = problems;
  }
}
