import { bearerChallenge } from '../../../../shared/auth/bearerChallenge';

// RFC 6750 §3: `Bearer` followed by comma-separated auth-params, the realm first; error and
// error_description only when there is an error to name.
describe('bearerChallenge', () => {
  it('names only the realm when no error is given (a request without a token)', () => {
    expect(bearerChallenge()).toBe('Bearer realm="jira-outlook-cloud"');
    expect(bearerChallenge({})).toBe('Bearer realm="jira-outlook-cloud"');
  });

  it('adds the error code and its description', () => {
    expect(bearerChallenge({ error: 'invalid_token', description: 'The token expired' })).toBe(
      'Bearer realm="jira-outlook-cloud", error="invalid_token", error_description="The token expired"',
    );
  });

  it('names the error without a description when none is given', () => {
    expect(bearerChallenge({ error: 'insufficient_scope' })).toBe('Bearer realm="jira-outlook-cloud", error="insufficient_scope"');
  });

  it('drops every quote and backslash, which would end or escape the quoted string early', () => {
    expect(bearerChallenge({ error: 'invalid_token', description: 'a "quoted" \\ and "another"' })).toBe(
      'Bearer realm="jira-outlook-cloud", error="invalid_token", error_description="a quoted  and another"',
    );
  });
});
