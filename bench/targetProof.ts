import { formatNumber } from './format';

/** CPU milliseconds per request of every process a proxied request runs through on this machine. */
export interface CpuPerRequest {
  loadGenerator: number;
  /** The simulated Jira (with the token issuer; the bench's own process), which verifies each signature. */
  jira: number;
  /** Undefined where Azurite's process was not found. */
  azurite: number | undefined;
  /** The least the app itself can spend: one signature plus the Node relay floor. */
  appMinimum: number;
}

/**
 * The most units (requests, mails) per second a CPU-bound machine could ever handle: its cores
 * divided by the CPU milliseconds one unit costs all its processes together. A part that could
 * not be measured (undefined: no /proc for it) counts as nothing, which only raises the ceiling.
 */
export function cpuCeiling(cores: number, msPerUnit: readonly (number | undefined)[]): number {
  const total = msPerUnit.reduce<number>((sum, ms) => sum + (ms ?? 0), 0);
  return total > 0 ? (cores * 1000) / total : Number.POSITIVE_INFINITY;
}

/**
 * The most requests per second these processes could ever answer together on `cores` cores,
 * if each spent only what it was measured to spend per request (the app only its minimum).
 */
export function machineCeiling(cores: number, perRequest: CpuPerRequest): number {
  return cpuCeiling(cores, [perRequest.loadGenerator, perRequest.jira, perRequest.azurite, perRequest.appMinimum]);
}

/**
 * The CPU target (app CPU ≤ `ratio` × one signature) cannot be met by any Node app here when
 * the relay floor alone costs more than what the target leaves besides the signature; then
 * the proof, else undefined.
 */
export function cpuTargetProof(input: { floorMicros: number; signatureMicros: number; ratio: number }): string | undefined {
  const share = input.floorMicros / input.signatureMicros;
  const allowance = input.ratio - 1;
  if (!(share > allowance)) return undefined;
  return `Node relay floor ${formatNumber(input.floorMicros)} µs = ${formatNumber(share, 2)}× a signature > the ${formatNumber(allowance, 2)}× left besides it`;
}

/**
 * A throughput target (≥ `share` × an anchor's rate) is out of reach on this machine when its
 * CPU ceiling (`cpuCeiling`, measured in the same run) is below it; then the proof.
 */
export function ceilingShareTargetProof(input: {
  ceiling: number;
  anchorRate: number;
  anchor: string;
  unit: string;
  share: number;
}): string | undefined {
  if (!(input.ceiling < input.share * input.anchorRate)) return undefined;
  return `CPU ceiling ${formatNumber(input.ceiling)} ${input.unit} = ${formatNumber(input.ceiling / input.anchorRate, 2)}× ${input.anchor} < ${formatNumber(input.share, 2)}×`;
}

/** The proxy's req/s target (≥ `share` × the machine's parallel signing rate). */
export function signingRateTargetProof(input: { ceiling: number; signingRate: number; share: number }): string | undefined {
  return ceilingShareTargetProof({
    ceiling: input.ceiling,
    anchorRate: input.signingRate,
    anchor: 'signing rate',
    unit: 'req/s',
    share: input.share,
  });
}

/**
 * A throughput target (≥ `share` × an anchor's rate) is out of reach for any relay of the kind
 * `floor` names when that floor itself, relaying the same thing in the same run, is below it;
 * then the proof.
 */
export function floorShareTargetProof(input: {
  /** What relayed: `Node relay floor`, `host relay floor`. */
  floor: string;
  floorRate: number;
  anchorRate: number | undefined;
  anchor: string;
  unit: string;
  share: number;
}): string | undefined {
  if (input.anchorRate === undefined || !(input.floorRate < input.share * input.anchorRate)) return undefined;
  return `${input.floor} ${formatNumber(input.floorRate)} ${input.unit} = ${formatNumber(input.floorRate / input.anchorRate, 2)}× ${input.anchor} < ${formatNumber(input.share, 2)}×`;
}

/** The OAuth 2.0 target (≥ `share` × nginx `proxy_pass`). */
export function nginxShareTargetProof(input: {
  floor: string;
  floorRate: number;
  nginxRate: number | undefined;
  share: number;
}): string | undefined {
  return floorShareTargetProof({
    floor: input.floor,
    floorRate: input.floorRate,
    anchorRate: input.nginxRate,
    anchor: 'nginx',
    unit: 'req/s',
    share: input.share,
  });
}
