/**
 * The OpenAPI paths of one Functions route template. OpenAPI path parameters are always
 * required, so a trailing optional segment (`{id?}`) makes two paths, with and without it;
 * a catch-all (`{*path}`) becomes an ordinary parameter whose value may hold slashes.
 */
export function toOpenApiPaths(routePrefix: string, route: string): string[] {
  const segments = route.split('/').filter((segment) => segment !== '');
  const last = segments.at(-1);
  const optional = last !== undefined && /^\{[^}]+\?\}$/.test(last);
  const full = `/${[routePrefix, ...segments].filter((part) => part !== '').join('/')}`.replace(/\{\*?([^}?]+)\??\}/g, '{$1}');
  if (!optional) return [full];
  return [full.slice(0, full.lastIndexOf('/')), full];
}
