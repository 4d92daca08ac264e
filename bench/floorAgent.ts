import { Agent } from 'undici';
import { settingsSchema } from '../shared/platform/config/settingsSchema';
import { outboundAgentOptions } from '../shared/platform/http/outboundAgentOptions';

/**
 * The app's outbound keep-alive pool with the settings' defaults (loopback allowed, as the
 * bench's app has it): what the relay floors (`floorRelayProcess.ts`, the host relay of
 * `anchorFunctions.ts`) send through, so that they pay exactly the app's price per request.
 */
export function floorAgent(): Agent {
  const outbound = settingsSchema
    .pick({
      OUTBOUND_CONNECT_TIMEOUT_MS: true,
      OUTBOUND_HEADERS_TIMEOUT_MS: true,
      OUTBOUND_BODY_TIMEOUT_MS: true,
      OUTBOUND_CONNECTIONS_PER_ORIGIN: true,
    })
    .parse({});
  return new Agent(
    outboundAgentOptions({
      connectTimeoutMs: outbound.OUTBOUND_CONNECT_TIMEOUT_MS,
      headersTimeoutMs: outbound.OUTBOUND_HEADERS_TIMEOUT_MS,
      bodyTimeoutMs: outbound.OUTBOUND_BODY_TIMEOUT_MS,
      connectionsPerOrigin: outbound.OUTBOUND_CONNECTIONS_PER_ORIGIN,
      allowPrivateNetworkTargets: true,
    }),
  );
}
