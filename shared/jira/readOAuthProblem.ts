import { parseFormPairs } from './parseFormPairs';

const PROBLEM_IN_HEADER = /(?:^|[\s,])oauth_problem="?([A-Za-z_]{1,64})"?/;
const PROBLEM_NAME = /^[a-z_]{1,64}$/;

/**
 * The `oauth_problem` of a Jira answer, from the `WWW-Authenticate: OAuth …` challenge
 * (REST calls) or a form-encoded body (the token endpoints). Only a plain lower-case
 * name is returned: it is echoed in problem details and log lines, so nothing Jira sends
 * besides that word can pass.
 */
export function readOAuthProblem(answer: { wwwAuthenticate?: string | null; formBody?: string }): string | undefined {
  const fromHeader = answer.wwwAuthenticate ? PROBLEM_IN_HEADER.exec(answer.wwwAuthenticate)?.[1] : undefined;
  if (fromHeader && PROBLEM_NAME.test(fromHeader)) return fromHeader;
  if (answer.formBody === undefined) return undefined;
  const problem = parseFormPairs(answer.formBody.trim())?.find(([name]) => name === 'oauth_problem')?.[1];
  return problem !== undefined && PROBLEM_NAME.test(problem) ? problem : undefined;
}
