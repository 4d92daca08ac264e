import { linkCreateSchema } from '../../../../../shared/mail/links/linkSchemas';

const base = { conversationId: 'AAQkAD-1', instanceId: 'demo', issueKey: 'demo-1' };

describe('linkCreateSchema: sharedMailbox', () => {
  test.each([
    ['Support@Contoso.example', 'support@contoso.example'],
    ['8F3C2A1E-0000-4000-8000-00000000ABCD', '8f3c2a1e-0000-4000-8000-00000000abcd'],
  ])('%s is a mailbox Graph can address, kept lower case', (given, stored) => {
    expect(linkCreateSchema.parse({ ...base, sharedMailbox: given })).toEqual({ ...base, issueKey: 'DEMO-1', sharedMailbox: stored });
  });

  test('absent: the caller’s own mailbox', () => {
    expect(linkCreateSchema.parse(base)).toEqual({ ...base, issueKey: 'DEMO-1' });
  });

  // It becomes a Graph path segment and a table key: nothing that could change either.
  test.each([['../me'], ['a/b@c.d'], ['me'], ["o'brien@x.y"], ['a@b#c'], ['x?y@z'], ['back\\slash@x.y'], ['']])('refuses %p', (given) => {
    expect(linkCreateSchema.safeParse({ ...base, sharedMailbox: given }).success).toBe(false);
  });
});
