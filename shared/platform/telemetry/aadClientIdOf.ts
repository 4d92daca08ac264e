/**
 * The client id of `ClientId=<guid>;Authorization=AAD` (the format the Application Insights
 * SDKs read from APPLICATIONINSIGHTS_AUTHENTICATION_STRING); '' for `Authorization=AAD` alone
 * (the default chain); undefined when it does not ask for Entra auth.
 */
export function aadClientIdOf(authenticationString: string | undefined): string | undefined {
  if (!authenticationString) return undefined;
  const parts = new Map(
    authenticationString.split(';').flatMap((part) => {
      const at = part.indexOf('=');
      return at > 0 ? [[part.slice(0, at).trim().toLowerCase(), part.slice(at + 1).trim()] as const] : [];
    }),
  );
  if (parts.get('authorization')?.toLowerCase() !== 'aad') return undefined;
  return parts.get('clientid') ?? '';
}
