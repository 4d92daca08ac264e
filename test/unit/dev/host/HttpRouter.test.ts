import type { HttpMethod } from '../../../../functions/FunctionDefinition';
import { HttpRouter } from '../../../../dev/host/HttpRouter';

const row = (name: string, route: string, methods: HttpMethod[]) => ({ name, route, methods });

describe('HttpRouter', () => {
  const router = new HttpRouter({
    functions: [
      row('proxy', 'jira/{instanceId}/proxy/{*path}', ['GET', 'POST']),
      row('callback', 'jira/oauth/callback', ['GET']),
      row('byId', 'jira/{instanceId}/{action}', ['POST']),
      row('instances', 'manage/instances/{instanceId?}', ['GET', 'PUT', 'DELETE']),
      row('ui', 'manage/ui', ['GET']),
      row('anyManage', 'manage/{page}', ['GET']),
    ],
  });

  it('needs the api prefix', () => {
    expect(router.resolve('GET', '/manage/ui')).toEqual({ kind: 'notFound' });
    expect(router.resolve('GET', '/apimanage/ui')).toEqual({ kind: 'notFound' });
    expect(router.resolve('GET', '/API/manage/ui')).toMatchObject({ kind: 'match', definition: { name: 'ui' } });
  });

  it('prefers a literal segment over a parameter, whatever the table order', () => {
    expect(router.resolve('GET', '/api/manage/ui')).toMatchObject({ kind: 'match', definition: { name: 'ui' } });
    expect(router.resolve('GET', '/api/manage/reports')).toMatchObject({
      kind: 'match',
      definition: { name: 'anyManage' },
      params: { page: 'reports' },
    });
    expect(router.resolve('GET', '/api/jira/oauth/callback')).toMatchObject({ kind: 'match', definition: { name: 'callback' } });
  });

  it('answers 405 with the methods of every route that matches the path', () => {
    expect(router.resolve('PATCH', '/api/jira/demo/proxy/rest')).toEqual({ kind: 'methodNotAllowed', allow: ['GET', 'POST'] });
    expect(router.resolve('POST', '/api/manage/instances')).toEqual({ kind: 'methodNotAllowed', allow: ['DELETE', 'GET', 'PUT'] });
  });

  it('passes params through and reports no route as not found', () => {
    expect(router.resolve('DELETE', '/api/manage/instances/demo')).toMatchObject({
      kind: 'match',
      definition: { name: 'instances' },
      params: { instanceId: 'demo' },
    });
    expect(router.resolve('GET', '/api/nothing/here/at/all')).toEqual({ kind: 'notFound' });
  });

  it('honours another route prefix, or none', () => {
    const bare = new HttpRouter({ functions: [row('ui', 'manage/ui', ['GET'])], routePrefix: '' });
    expect(bare.resolve('GET', '/manage/ui')).toMatchObject({ kind: 'match' });
    const custom = new HttpRouter({ functions: [row('ui', 'manage/ui', ['GET'])], routePrefix: 'v1/app' });
    expect(custom.resolve('GET', '/v1/app/manage/ui')).toMatchObject({ kind: 'match' });
    expect(custom.resolve('GET', '/api/manage/ui')).toEqual({ kind: 'notFound' });
  });
});
