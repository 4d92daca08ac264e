/** The protection space every `WWW-Authenticate` challenge of this API names. */
export const AUTH_REALM = 'jira-outlook-cloud';

export interface BearerChallengeInit {
  error?: 'invalid_token' | 'insufficient_scope';
  /** A fixed text per failure kind: never anything taken from the request. */
  description?: string;
}

/** A `WWW-Authenticate: Bearer …` value as RFC 6750 §3 words it. */
export function bearerChallenge(init: BearerChallengeInit = {}): string {
  const params = [`realm="${AUTH_REALM}"`];
  if (init.error) params.push(`error="${init.error}"`);
  if (init.description) params.push(`error_description="${init.description.replace(/["\\]/g, '')}"`);
  return `Bearer ${params.join(', ')}`;
}
