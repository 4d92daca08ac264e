import { compileRoute } from '../../../../dev/host/compileRoute';

describe('compileRoute', () => {
  it('matches literal segments case-insensitively and tolerates one trailing slash', () => {
    const route = compileRoute('manage/ui');
    expect(route.match('manage/ui')).toEqual({});
    expect(route.match('Manage/UI/')).toEqual({});
    expect(route.match('manage/ui/x')).toBeUndefined();
    expect(route.match('admin')).toBeUndefined();
  });

  it('decodes a parameter except an encoded slash, as Kestrel does', () => {
    const route = compileRoute('licenses/{instanceId}');
    expect(route.match('licenses/demo')).toEqual({ instanceId: 'demo' });
    expect(route.match('licenses/a%20b%C3%A9')).toEqual({ instanceId: 'a bé' });
    expect(route.match('licenses/a%2Fb')).toEqual({ instanceId: 'a%2Fb' });
    expect(route.match('licenses/a%2fb%25')).toEqual({ instanceId: 'a%2fb%' });
    expect(route.match('licenses/%E0%A4%A')).toEqual({ instanceId: '%E0%A4%A' });
    expect(route.match('licenses')).toBeUndefined();
    expect(route.match('licenses//')).toBeUndefined();
  });

  it('leaves an optional parameter out when the segment is missing', () => {
    const route = compileRoute('manage/instances/{instanceId?}');
    expect(route.match('manage/instances')).toEqual({});
    expect(route.match('manage/instances/')).toEqual({});
    expect(route.match('manage/instances/demo')).toEqual({ instanceId: 'demo' });
    expect(route.match('manage/instances/demo/more')).toBeUndefined();
  });

  it('gives a catch-all the raw rest of the path, encoded characters and all', () => {
    const route = compileRoute('jira/{instanceId}/proxy/{*path}');
    expect(route.match('jira/demo/proxy/rest/api/2/issue/DEMO-1')).toEqual({ instanceId: 'demo', path: 'rest/api/2/issue/DEMO-1' });
    expect(route.match('jira/demo/proxy/rest/a%2Fb/%2e%2e/x%20y')).toEqual({ instanceId: 'demo', path: 'rest/a%2Fb/%2e%2e/x%20y' });
    expect(route.match('jira/demo/proxy/rest//double')).toEqual({ instanceId: 'demo', path: 'rest//double' });
    expect(route.match('jira/demo/proxy')).toEqual({ instanceId: 'demo' });
    expect(route.match('jira/demo/other/x')).toBeUndefined();
  });

  it('refuses templates the local host cannot honour instead of ignoring parts of them', () => {
    expect(() => compileRoute('items/{id:int}')).toThrow(/not supported/);
    expect(() => compileRoute('items/{*rest}/tail')).toThrow(/catch-all must be the last/);
    expect(() => compileRoute('items/{id?}/tail')).toThrow(/optional/);
    expect(() => compileRoute('items/x{id}')).toThrow(/not supported/);
  });
});
