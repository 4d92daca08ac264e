import { AppError } from '../platform/errors/AppError';
import type { ErrorCode } from '../platform/errors/errorCodes';

/** Problems after which the stored access token is useless: drop it and ask the user again. */
export const TOKEN_PROBLEMS: ReadonlySet<string> = new Set([
  'token_rejected',
  'token_expired',
  'token_revoked',
  'permission_unknown',
  'additional_authorization_required',
]);

const CODES: Readonly<Record<string, ErrorCode>> = {
  consumer_key_unknown: 'jira_consumer_unknown',
  consumer_key_rejected: 'jira_consumer_unknown',
  consumer_key_refused: 'jira_consumer_unknown',
  signature_invalid: 'jira_signature_invalid',
  signature_method_rejected: 'jira_signature_invalid',
  timestamp_refused: 'jira_timestamp_refused',
  nonce_used: 'jira_timestamp_refused',
  permission_denied: 'jira_authorization_denied',
  user_refused: 'jira_authorization_denied',
};

export interface OAuthProblemContext {
  /** Where the add-in starts the dance again; sent with `jira_authorization_required`. */
  startUrl?: string;
}

/**
 * The stable error for one of Jira's `oauth_problem` answers (the net.oauth vocabulary
 * Jira uses). Token problems become 401 `jira_authorization_required` with the start URL;
 * a missing application link, a bad signature or a refused clock are our side's fault
 * (502); anything else is `jira_oauth_problem`. The problem name rides along: it is a
 * fixed word, never a token.
 */
export function oauthProblemError(problem: string, context: OAuthProblemContext = {}): AppError {
  if (TOKEN_PROBLEMS.has(problem)) {
    return new AppError({
      code: 'jira_authorization_required',
      detail: 'Jira no longer accepts the stored authorization; authorize the app again',
      extensions: { oauthProblem: problem, ...(context.startUrl ? { startUrl: context.startUrl } : {}) },
    });
  }
  const code = CODES[problem] ?? 'jira_oauth_problem';
  return new AppError({ code, detail: `Jira answered oauth_problem=${problem}`, extensions: { oauthProblem: problem } });
}
