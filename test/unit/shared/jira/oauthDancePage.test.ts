import { oauthDancePage } from '../../../../shared/jira/oauthDancePage';

describe('oauthDancePage', () => {
  const hostile = `</script><script>alert("x")</script><!-- & ' \` \u2028`;

  it('escapes every value it shows and carries the message as inert JSON', () => {
    const jiraUser = { name: `${hostile}-name`, displayName: `${hostile}-display` };
    const page = oauthDancePage({ ok: true, instanceId: 'demo', displayName: hostile, jiraUser });
    expect(page.status).toBe(200);
    expect(page.body).not.toContain('<script>alert');
    expect(page.body).not.toContain('</script><script>');
    expect(page.body).toContain('&lt;/script&gt;&lt;script&gt;alert(&quot;x&quot;)');
    const json = /<script type="application\/json" id="outcome">(.*?)<\/script>/s.exec(page.body)?.[1];
    expect(JSON.parse(json!)).toEqual({ type: 'jira-authorization', status: 'authorized', instanceId: 'demo', jiraUser });
    expect(page.body).toContain('Office.context.ui.messageParent');
  });

  it('names the Jira user the token acts as', () => {
    const page = oauthDancePage({
      ok: true,
      instanceId: 'demo',
      displayName: 'Jira',
      jiraUser: { name: 'alice', displayName: 'Alice Example' },
    });
    expect(page.body).toContain('as the Jira user Alice Example (alice)');
  });

  it('answers failures with their status and code, and a strict policy with a fresh nonce', () => {
    const one = oauthDancePage({ ok: false, status: 400, code: 'oauth_request_token_invalid', message: hostile });
    const two = oauthDancePage({ ok: false, status: 400, code: 'oauth_request_token_invalid', message: 'x' });
    expect(one.status).toBe(400);
    expect(one.body).not.toContain('<script>alert');
    const json = /<script type="application\/json" id="outcome">(.*?)<\/script>/s.exec(one.body)?.[1];
    expect(JSON.parse(json!)).toEqual({ type: 'jira-authorization', status: 'failed', code: 'oauth_request_token_invalid' });
    expect(one.headers['Content-Security-Policy']).toMatch(
      /^default-src 'none'; script-src 'nonce-[^']+' https:\/\/appsforoffice\.microsoft\.com;/,
    );
    expect(one.headers['Content-Security-Policy']).not.toBe(two.headers['Content-Security-Policy']);
    expect(one.headers['Referrer-Policy']).toBe('no-referrer');
    expect(one.headers['Cache-Control']).toBe('no-store');
  });
});
