/**
 * Every stable error code with its HTTP status and a short title. Adding a code here is the
 * only way to give it a status, so the mapping stays one pure table.
 */
export const errorCodes = {
  bad_request: { status: 400, title: 'Bad request' },
  invalid_json: { status: 400, title: 'The body is not valid JSON' },
  invalid_body: { status: 400, title: 'The body does not have the expected shape' },
  invalid_query: { status: 400, title: 'The query string does not have the expected shape' },
  invalid_path: { status: 400, title: 'The path is not allowed' },
  invalid_header: { status: 400, title: 'A header is not allowed' },
  oauth_request_token_invalid: { status: 400, title: 'Unknown, expired or used OAuth request token' },
  unauthenticated: { status: 401, title: 'A bearer token is required' },
  invalid_token: { status: 401, title: 'The bearer token is not valid' },
  jira_authorization_required: { status: 401, title: 'Authorize the app in Jira first' },
  forbidden: { status: 403, title: 'Forbidden' },
  admin_role_required: { status: 403, title: 'The admin app role is required' },
  tenant_not_allowed: { status: 403, title: 'The tenant is not allowed' },
  jira_forbidden: { status: 403, title: 'Jira refused the request' },
  not_found: { status: 404, title: 'Not found' },
  route_not_found: { status: 404, title: 'No such route' },
  instance_not_found: { status: 404, title: 'No such Jira instance' },
  link_not_found: { status: 404, title: 'No such link' },
  method_not_allowed: { status: 405, title: 'Method not allowed' },
  conflict: { status: 409, title: 'Conflict' },
  payload_too_large: { status: 413, title: 'The body is too large' },
  unsupported_media_type: { status: 415, title: 'Unsupported media type' },
  throttled: { status: 429, title: 'Too many requests' },
  internal: { status: 500, title: 'Internal error' },
  config_invalid: { status: 500, title: 'The app is misconfigured' },
  decryption_failed: { status: 500, title: 'A stored secret could not be decrypted' },
  encryption_key_unknown: { status: 500, title: 'A stored secret uses an unknown key' },
  upstream_unreachable: { status: 502, title: 'The upstream service could not be reached' },
  upstream_bad_response: { status: 502, title: 'The upstream service answered unexpectedly' },
  upstream_redirect_refused: { status: 502, title: 'The upstream redirected outside the instance' },
  target_not_allowed: { status: 400, title: 'The target address is not allowed' },
  jira_oauth_problem: { status: 502, title: 'Jira refused the OAuth signature' },
  storage_unavailable: { status: 503, title: 'Storage is unavailable' },
  service_unavailable: { status: 503, title: 'Service unavailable' },
  upstream_timeout: { status: 504, title: 'The upstream service did not answer in time' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ErrorCode = keyof typeof errorCodes;
