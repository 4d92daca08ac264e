import { decodeRouteValue } from './decodeRouteValue';

type Segment = { kind: 'literal'; text: string } | { kind: 'param'; name: string; optional: boolean } | { kind: 'catchAll'; name: string };

export interface CompiledRoute {
  template: string;
  /**
   * Orders overlapping templates as ASP.NET Core routing does: per segment a literal beats
   * a parameter, which beats an optional one, which beats a catch-all. Higher first.
   */
  precedence: number[];
  /** Route values for a raw (still percent-encoded) path below the prefix, or undefined. */
  match(rawPath: string): Record<string, string> | undefined;
}

const PARAMETER = /^\{(\*{1,2})?([A-Za-z_][A-Za-z0-9_]*)(\?)?\}$/;

/**
 * Compiles a Functions route template (`jira/{instanceId}/proxy/{*path}`). Supported: literal
 * segments (case-insensitive), `{name}`, `{name?}` and a final `{*name}` catch-all. Inline
 * constraints (`{id:int}`) and defaults are refused rather than silently ignored.
 *
 * Route values: a `{name}` value is percent-decoded except `%2F`, which Kestrel (and so
 * `func start`) leaves encoded; a catch-all value is the raw rest of the path, because the
 * proxy must see exactly what the client sent to refuse `%2F`, `..` and friends itself.
 */
export function compileRoute(template: string): CompiledRoute {
  const parts = template
    .replace(/^\/+|\/+$/g, '')
    .split('/')
    .filter((part) => part.length > 0);
  const segments = parts.map((part, index): Segment => {
    if (!part.includes('{') && !part.includes('}')) return { kind: 'literal', text: part.toLowerCase() };
    const match = PARAMETER.exec(part);
    if (!match?.[2]) throw new Error(`route "${template}": segment "${part}" is not supported by the local host`);
    if (match[1]) {
      if (index !== parts.length - 1) throw new Error(`route "${template}": a catch-all must be the last segment`);
      return { kind: 'catchAll', name: match[2] };
    }
    return { kind: 'param', name: match[2], optional: match[3] === '?' };
  });
  const firstOptional = segments.findIndex((s) => s.kind === 'param' && s.optional);
  if (firstOptional >= 0 && segments.slice(firstOptional + 1).some((s) => s.kind !== 'catchAll' && !(s.kind === 'param' && s.optional))) {
    throw new Error(`route "${template}": only optional parameters or a catch-all may follow an optional parameter`);
  }
  const precedence = segments.map((s) => (s.kind === 'literal' ? 4 : s.kind === 'param' ? (s.optional ? 2 : 3) : 1));

  return {
    template,
    precedence,
    match(rawPath) {
      const trimmed = rawPath.replace(/^\/+/, '').replace(/\/$/, '');
      const raw = trimmed === '' ? [] : trimmed.split('/');
      const values: Record<string, string> = {};
      for (let i = 0; i < segments.length; i += 1) {
        const segment = segments[i]!;
        const rawSegment = raw[i];
        if (segment.kind === 'catchAll') {
          const rest = raw.slice(i).join('/');
          if (rest !== '') values[segment.name] = rest;
          return values;
        }
        if (rawSegment === undefined) {
          if (segment.kind === 'param' && segment.optional) continue;
          return undefined;
        }
        if (rawSegment === '') return undefined;
        const decoded = decodeRouteValue(rawSegment);
        if (segment.kind === 'literal') {
          if (decoded.toLowerCase() !== segment.text) return undefined;
        } else {
          values[segment.name] = decoded;
        }
      }
      return raw.length > segments.length ? undefined : values;
    },
  };
}
