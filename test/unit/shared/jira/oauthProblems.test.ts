import { oauthProblemError } from '../../../../shared/jira/oauthProblemError';
import { readOAuthProblem } from '../../../../shared/jira/readOAuthProblem';

describe('readOAuthProblem', () => {
  it('reads the challenge of a REST answer and the body of a token endpoint', () => {
    expect(readOAuthProblem({ wwwAuthenticate: 'OAuth realm="https%3A%2F%2Fjira.example.com", oauth_problem="token_rejected"' })).toBe(
      'token_rejected',
    );
    expect(readOAuthProblem({ wwwAuthenticate: 'OAuth oauth_problem=timestamp_refused, oauth_acceptable_timestamps="1-2"' })).toBe(
      'timestamp_refused',
    );
    expect(readOAuthProblem({ formBody: 'oauth_problem=signature_invalid&oauth_signature_base_string=GET%26x' })).toBe('signature_invalid');
    expect(readOAuthProblem({ wwwAuthenticate: 'Bearer realm="x"', formBody: '{"errorMessages":[]}' })).toBeUndefined();
    expect(readOAuthProblem({ wwwAuthenticate: 'OAuth realm="x"' })).toBeUndefined();
  });

  it('passes nothing but a plain problem name', () => {
    expect(readOAuthProblem({ formBody: 'oauth_problem=%3Cscript%3E' })).toBeUndefined();
    expect(readOAuthProblem({ formBody: 'oauth_problem=token_rejected%20secret' })).toBeUndefined();
  });
});

describe('oauthProblemError', () => {
  it.each([
    ['token_rejected', 'jira_authorization_required', 401],
    ['token_expired', 'jira_authorization_required', 401],
    ['token_revoked', 'jira_authorization_required', 401],
    ['consumer_key_unknown', 'jira_consumer_unknown', 502],
    ['consumer_key_refused', 'jira_consumer_unknown', 502],
    ['signature_invalid', 'jira_signature_invalid', 502],
    ['signature_method_rejected', 'jira_signature_invalid', 502],
    ['timestamp_refused', 'jira_timestamp_refused', 502],
    ['nonce_used', 'jira_timestamp_refused', 502],
    ['permission_denied', 'jira_authorization_denied', 403],
    ['parameter_absent', 'jira_oauth_problem', 502],
    ['something_new', 'jira_oauth_problem', 502],
  ])('%s → %s', (problem, code) => {
    const error = oauthProblemError(problem, { startUrl: 'https://app.example/api/jira/demo/oauth/start' });
    expect(error.code).toBe(code);
    expect(error.extensions.oauthProblem).toBe(problem);
    if (code === 'jira_authorization_required') expect(error.extensions.startUrl).toBe('https://app.example/api/jira/demo/oauth/start');
  });
});
