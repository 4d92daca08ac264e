import type { Agent } from 'undici';
import { guardedLookup } from '../net/guardedLookup';

export interface OutboundAgentInit {
  connectTimeoutMs: number;
  headersTimeoutMs: number;
  bodyTimeoutMs: number;
  connectionsPerOrigin: number;
  /** Sandbox and tests only: allow loopback and private targets. */
  allowPrivateNetworkTargets: boolean;
}

/**
 * The keep-alive pool of every outbound call. One home, so the bench's Node relay floor
 * (`bench/floorRelayProcess.ts`) measures the very pool the app uses.
 */
export function outboundAgentOptions(init: OutboundAgentInit): Agent.Options {
  return {
    connections: init.connectionsPerOrigin,
    headersTimeout: init.headersTimeoutMs,
    bodyTimeout: init.bodyTimeoutMs,
    keepAliveTimeout: 30_000,
    connect: init.allowPrivateNetworkTargets
      ? { timeout: init.connectTimeoutMs }
      : { timeout: init.connectTimeoutMs, lookup: guardedLookup },
  };
}
