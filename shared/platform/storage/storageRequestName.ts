/**
 * `METHOD resource[/detail]` of one table or queue request (e.g. `POST jira-notify/messages`,
 * `GET deliveries`, `POST deliveries/$batch`): the table or queue and the kind of call, never
 * an entity's keys, a message id or a query. Shared by the request counter and the storage spans.
 */
export function storageRequestName(method: string, resource: string, url: string): string {
  return `${method} ${resource}${detailOf(resource, url)}`;
}

/** `/messages`, `/messages/{id}` or `/$batch` after the resource's name in the URL's path; empty otherwise. */
function detailOf(resource: string, url: string): string {
  const path = new URL(url).pathname;
  // A table transaction is posted to the account's `$batch`, not under the table's name.
  if (path.endsWith('/$batch')) return '/$batch';
  const at = path.indexOf(`/${resource}/`);
  if (at < 0) return '';
  const rest = path.slice(at + resource.length + 2).split('/');
  return rest[0] ? `/${rest[0]}${rest.length > 1 ? '/{id}' : ''}` : '';
}
