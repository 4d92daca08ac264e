import type { HttpMethod } from '../../functions/FunctionDefinition';
import { compileRoute, type CompiledRoute } from './compileRoute';

export interface RoutableFunction {
  name: string;
  route: string;
  methods: readonly HttpMethod[];
}

export type RouteResolution<T extends RoutableFunction> =
  { kind: 'match'; definition: T; params: Record<string, string> } | { kind: 'methodNotAllowed'; allow: string[] } | { kind: 'notFound' };

export interface HttpRouterInit<T extends RoutableFunction> {
  functions: readonly T[];
  /** host.json `extensions.http.routePrefix`; `api` by default, `''` for none. */
  routePrefix?: string;
}

interface Entry<T> {
  definition: T;
  route: CompiledRoute;
  methods: ReadonlySet<string>;
}

/** Finds the function for a method and raw path, with the host's route precedence. */
export class HttpRouter<T extends RoutableFunction> {
  private readonly entries: Entry<T>[];
  private readonly prefix: string[];

  constructor(init: HttpRouterInit<T>) {
    this.prefix = (init.routePrefix ?? 'api')
      .split('/')
      .filter((s) => s.length > 0)
      .map((s) => s.toLowerCase());
    this.entries = init.functions
      .map((definition) => ({
        definition,
        route: compileRoute(definition.route),
        methods: new Set(definition.methods.map((m) => m.toUpperCase())),
      }))
      .sort((a, b) => comparePrecedence(b.route.precedence, a.route.precedence));
  }

  /** `rawPath` is the request target's path, still percent-encoded, without the query. */
  resolve(method: string, rawPath: string): RouteResolution<T> {
    const below = this.stripPrefix(rawPath);
    if (below === undefined) return { kind: 'notFound' };
    const allow = new Set<string>();
    for (const entry of this.entries) {
      const params = entry.route.match(below);
      if (!params) continue;
      if (entry.methods.has(method.toUpperCase())) return { kind: 'match', definition: entry.definition, params };
      for (const m of entry.methods) allow.add(m);
    }
    return allow.size > 0 ? { kind: 'methodNotAllowed', allow: [...allow].sort() } : { kind: 'notFound' };
  }

  private stripPrefix(rawPath: string): string | undefined {
    const segments = rawPath.split('/').slice(1);
    for (let i = 0; i < this.prefix.length; i += 1) {
      if (segments[i]?.toLowerCase() !== this.prefix[i]) return undefined;
    }
    return segments.slice(this.prefix.length).join('/');
  }
}

function comparePrecedence(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i += 1) {
    const difference = (a[i] ?? 0) - (b[i] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}
