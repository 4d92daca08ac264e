/**
 * Reads a compiled ARM template the way Resource Manager would, as far as that is possible
 * before a deployment: expressions over literals, parameters, variables and copy indexes
 * are evaluated; anything only Azure knows (reference(), uniqueString(), …) stays
 * `Unresolved`. Nested deployments (Bicep modules) are expanded with the parameter values
 * their parent passes, so a resource inside a module is seen with its real name.
 */

export class Unresolved {
  toString(): string {
    return '⁇';
  }
}
const UNRESOLVED = new Unresolved();

export type Value = null | boolean | number | string | Unresolved | Value[] | { [key: string]: Value };

export interface Scope {
  parameters: Record<string, Value>;
  variables: Record<string, unknown>;
  copyIndex?: number;
  /** The arguments of the lambdas being evaluated (`lambdaVariables('s')`). */
  lambdaVariables?: Record<string, Value>;
  /** Variables already evaluated in this scope. */
  cache?: Map<string, Value>;
}

export interface ExpandedResource {
  type: string;
  /** The full name (`account/default/queue`), with ⁇ where Azure decides. */
  name: string;
  existing: boolean;
  /** Its `condition` evaluated: false when this deployment would skip it. */
  condition: Value;
  /** The resource as written in the template, expressions unevaluated. */
  raw: Record<string, unknown>;
  /** The scope its expressions evaluate in. */
  scope: Scope;
  /** The chain of module (nested deployment) names that holds it. */
  modules: string[];
}

export interface ExpandedTemplate {
  template: Record<string, unknown>;
  scope: Scope;
  modules: string[];
}

export function isUnresolved(value: unknown): value is Unresolved {
  return value instanceof Unresolved;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Unresolved);
}

/** Evaluates a JSON value whose strings may be ARM expressions (`[...]`). */
export function evaluate(value: unknown, scope: Scope): Value {
  if (typeof value === 'string') {
    if (value.startsWith('[[')) return value.slice(1);
    if (value.startsWith('[') && value.endsWith(']')) return evaluateExpression(value.slice(1, -1), scope);
    return value;
  }
  if (Array.isArray(value)) return value.map((item) => evaluate(item, scope));
  if (isRecord(value)) {
    const result: Record<string, Value> = {};
    for (const [key, item] of Object.entries(value)) result[display(evaluate(key, scope))] = evaluate(item, scope);
    return result;
  }
  if (value === null || typeof value === 'boolean' || typeof value === 'number') return value;
  return UNRESOLVED;
}

type Node =
  | { kind: 'literal'; value: Value }
  | { kind: 'call'; name: string; args: Node[] }
  | { kind: 'member'; target: Node; property: string }
  | { kind: 'index'; target: Node; index: Node };

export function evaluateExpression(source: string, scope: Scope): Value {
  const parser = new Parser(source);
  const node = parser.parseExpression();
  parser.expectEnd();
  return evaluateNode(node, scope);
}

class Parser {
  private position = 0;

  constructor(private readonly source: string) {}

  parseExpression(): Node {
    let node = this.parsePrimary();
    for (;;) {
      this.skipSpace();
      const next = this.source[this.position];
      if (next === '.') {
        this.position += 1;
        node = { kind: 'member', target: node, property: this.parseIdentifier() };
      } else if (next === '[') {
        this.position += 1;
        const index = this.parseExpression();
        this.expect(']');
        node = { kind: 'index', target: node, index };
      } else {
        return node;
      }
    }
  }

  expectEnd(): void {
    this.skipSpace();
    if (this.position !== this.source.length) throw new Error(`unexpected "${this.source.slice(this.position)}" in [${this.source}]`);
  }

  private parsePrimary(): Node {
    this.skipSpace();
    const next = this.source[this.position];
    if (next === "'") return { kind: 'literal', value: this.parseString() };
    if (next !== undefined && /[-0-9]/.test(next)) {
      const match = /^-?\d+/.exec(this.source.slice(this.position));
      if (!match) throw new Error(`bad number in [${this.source}]`);
      this.position += match[0].length;
      return { kind: 'literal', value: Number(match[0]) };
    }
    const name = this.parseIdentifier();
    this.skipSpace();
    if (this.source[this.position] !== '(') {
      if (name === 'true' || name === 'false') return { kind: 'literal', value: name === 'true' };
      if (name === 'null') return { kind: 'literal', value: null };
      throw new Error(`expected ( after ${name} in [${this.source}]`);
    }
    this.position += 1;
    const args: Node[] = [];
    this.skipSpace();
    if (this.source[this.position] === ')') {
      this.position += 1;
      return { kind: 'call', name: name.toLowerCase(), args };
    }
    for (;;) {
      args.push(this.parseExpression());
      this.skipSpace();
      const separator = this.source[this.position];
      this.position += 1;
      if (separator === ')') return { kind: 'call', name: name.toLowerCase(), args };
      if (separator !== ',') throw new Error(`expected , or ) in [${this.source}]`);
    }
  }

  private parseString(): string {
    let text = '';
    this.position += 1;
    for (;;) {
      const char = this.source[this.position];
      if (char === undefined) throw new Error(`unterminated string in [${this.source}]`);
      this.position += 1;
      if (char === "'") {
        if (this.source[this.position] !== "'") return text;
        this.position += 1;
      }
      text += char;
    }
  }

  private parseIdentifier(): string {
    this.skipSpace();
    const match = /^[A-Za-z_$][\w$]*/.exec(this.source.slice(this.position));
    if (!match) throw new Error(`expected a name at "${this.source.slice(this.position)}" in [${this.source}]`);
    this.position += match[0].length;
    return match[0];
  }

  private expect(char: string): void {
    this.skipSpace();
    if (this.source[this.position] !== char) throw new Error(`expected ${char} in [${this.source}]`);
    this.position += 1;
  }

  private skipSpace(): void {
    while (this.source[this.position] === ' ') this.position += 1;
  }
}

function evaluateNode(node: Node, scope: Scope): Value {
  switch (node.kind) {
    case 'literal':
      return node.value;
    case 'member': {
      const target = evaluateNode(node.target, scope);
      return isRecord(target) && node.property in target ? (target[node.property] as Value) : UNRESOLVED;
    }
    case 'index': {
      const target = evaluateNode(node.target, scope);
      const index = evaluateNode(node.index, scope);
      if (Array.isArray(target) && typeof index === 'number') return (target as Value[])[index] ?? UNRESOLVED;
      if (isRecord(target) && typeof index === 'string' && index in target) return target[index] as Value;
      return UNRESOLVED;
    }
    case 'call':
      return call(node.name, node.args, scope);
  }
}

/** Applies `lambda('x', body)` to one value; Unresolved when the node is not a lambda. */
function applyLambda(node: Node | undefined, value: Value, scope: Scope): Value {
  if (node?.kind !== 'call' || node.name !== 'lambda' || node.args.length !== 2) return UNRESOLVED;
  const [nameNode, body] = node.args;
  const name = nameNode ? evaluateNode(nameNode, scope) : UNRESOLVED;
  if (typeof name !== 'string' || !body) return UNRESOLVED;
  return evaluateNode(body, { ...scope, lambdaVariables: { ...scope.lambdaVariables, [name]: value } });
}

function call(name: string, argNodes: Node[], scope: Scope): Value {
  const args = () => argNodes.map((arg) => evaluateNode(arg, scope));
  switch (name) {
    case 'lambdavariables': {
      const [key] = args();
      return typeof key === 'string' && scope.lambdaVariables && key in scope.lambdaVariables
        ? (scope.lambdaVariables[key] as Value)
        : UNRESOLVED;
    }
    case 'items': {
      const [value] = args();
      if (!isRecord(value)) return UNRESOLVED;
      return Object.entries(value).map(([key, item]) => ({ key, value: item as Value }));
    }
    case 'filter': {
      const list = argNodes[0] ? evaluateNode(argNodes[0], scope) : UNRESOLVED;
      if (!Array.isArray(list)) return UNRESOLVED;
      const kept: Value[] = [];
      for (const item of list as Value[]) {
        const keep = applyLambda(argNodes[1], item, scope);
        if (typeof keep !== 'boolean') return UNRESOLVED;
        if (keep) kept.push(item);
      }
      return kept;
    }
    case 'toobject': {
      const list = argNodes[0] ? evaluateNode(argNodes[0], scope) : UNRESOLVED;
      if (!Array.isArray(list)) return UNRESOLVED;
      const result: Record<string, Value> = {};
      for (const item of list as Value[]) {
        const key = applyLambda(argNodes[1], item, scope);
        if (typeof key !== 'string') return UNRESOLVED;
        result[key] = argNodes[2] ? applyLambda(argNodes[2], item, scope) : item;
      }
      return result;
    }
    case 'greater':
    case 'greaterorequals':
    case 'less':
    case 'lessorequals': {
      const [a, b] = args();
      if (typeof a !== 'number' || typeof b !== 'number') return UNRESOLVED;
      if (name === 'greater') return a > b;
      if (name === 'greaterorequals') return a >= b;
      return name === 'less' ? a < b : a <= b;
    }
    case 'and':
    case 'or': {
      const values = args();
      if (!values.every((v) => typeof v === 'boolean')) return UNRESOLVED;
      return name === 'and' ? values.every(Boolean) : values.some(Boolean);
    }
    case 'parameters': {
      const [key] = args();
      return typeof key === 'string' && key in scope.parameters ? (scope.parameters[key] as Value) : UNRESOLVED;
    }
    case 'variables': {
      const [key] = args();
      if (typeof key !== 'string' || !(key in scope.variables)) return UNRESOLVED;
      scope.cache ??= new Map();
      const cached = scope.cache.get(key);
      if (cached !== undefined) return cached;
      const value = evaluate(scope.variables[key], { parameters: scope.parameters, variables: scope.variables, cache: scope.cache });
      scope.cache.set(key, value);
      return value;
    }
    case 'copyindex': {
      const [offset] = args();
      if (scope.copyIndex === undefined) return UNRESOLVED;
      return scope.copyIndex + (typeof offset === 'number' ? offset : 0);
    }
    case 'format': {
      const [format, ...rest] = args();
      if (typeof format !== 'string') return UNRESOLVED;
      return format.replace(/\{(\d+)\}/g, (_, i: string) => display(rest[Number(i)]));
    }
    case 'concat': {
      const values = args();
      if (values.every((v) => Array.isArray(v))) return (values as Value[][]).flat();
      return values.map(display).join('');
    }
    case 'string':
      return display(args()[0]);
    case 'tolower':
    case 'toupper': {
      const [text] = args();
      if (typeof text !== 'string') return UNRESOLVED;
      return name === 'tolower' ? text.toLowerCase() : text.toUpperCase();
    }
    case 'startswith':
    case 'endswith': {
      const [text, part] = args();
      if (typeof text !== 'string' || typeof part !== 'string') return UNRESOLVED;
      return name === 'startswith' ? text.toLowerCase().startsWith(part.toLowerCase()) : text.toLowerCase().endsWith(part.toLowerCase());
    }
    case 'take': {
      const [value, count] = args();
      if (typeof count !== 'number') return UNRESOLVED;
      if (typeof value === 'string') return value.slice(0, Math.max(count, 0));
      return Array.isArray(value) ? (value as Value[]).slice(0, Math.max(count, 0)) : UNRESOLVED;
    }
    case 'add':
    case 'sub': {
      const [a, b] = args();
      if (typeof a !== 'number' || typeof b !== 'number') return UNRESOLVED;
      return name === 'add' ? a + b : a - b;
    }
    case 'length': {
      const [value] = args();
      if (typeof value === 'string' || Array.isArray(value)) return value.length;
      return isRecord(value) ? Object.keys(value).length : UNRESOLVED;
    }
    case 'empty': {
      const [value] = args();
      if (typeof value === 'string' || Array.isArray(value)) return value.length === 0;
      if (value === null) return true;
      return isRecord(value) ? Object.keys(value).length === 0 : UNRESOLVED;
    }
    case 'if': {
      const [condition] = argNodes.slice(0, 1).map((arg) => evaluateNode(arg, scope));
      if (typeof condition !== 'boolean') return UNRESOLVED;
      const branch = argNodes[condition ? 1 : 2];
      return branch ? evaluateNode(branch, scope) : UNRESOLVED;
    }
    case 'equals': {
      const [a, b] = args();
      if (isUnresolved(a) || isUnresolved(b)) return UNRESOLVED;
      return JSON.stringify(a) === JSON.stringify(b);
    }
    case 'not': {
      const [value] = args();
      return typeof value === 'boolean' ? !value : UNRESOLVED;
    }
    case 'union': {
      const values = args();
      if (!values.every(isRecord)) return UNRESOLVED;
      return Object.assign({}, ...values) as Value;
    }
    case 'createarray':
      return args();
    case 'createobject': {
      const values = args();
      const result: Record<string, Value> = {};
      for (let i = 0; i + 1 < values.length; i += 2) result[display(values[i])] = values[i + 1] as Value;
      return result;
    }
    case 'subscriptionresourceid': {
      const [type, ...names] = args();
      return `/subscriptions/⁇/providers/${display(type)}/${names.map(display).join('/')}`;
    }
    case 'resourceid': {
      const [type, ...names] = args();
      return `/subscriptions/⁇/resourceGroups/⁇/providers/${display(type)}/${names.map(display).join('/')}`;
    }
    default:
      return UNRESOLVED;
  }
}

/** A value as text, with ⁇ for what only Azure knows. */
export function display(value: Value | undefined): string {
  if (value === undefined || isUnresolved(value)) return '⁇';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** Resources of a template as an array, for both the classic and the symbolic-name form. */
export function resourcesOf(template: Record<string, unknown>): Record<string, unknown>[] {
  const resources = template.resources;
  const list = Array.isArray(resources) ? resources : isRecord(resources) ? Object.values(resources) : [];
  return list.filter(isRecord);
}

/** The main template's parameters: the given values, else the defaults. */
export function rootScope(template: Record<string, unknown>, given: Record<string, Value> = {}): Scope {
  const variables = isRecord(template.variables) ? template.variables : {};
  const scope: Scope = { parameters: {}, variables };
  const definitions = isRecord(template.parameters) ? template.parameters : {};
  for (const [name, definition] of Object.entries(definitions)) {
    if (name in given) scope.parameters[name] = given[name] as Value;
    else if (isRecord(definition) && 'defaultValue' in definition) scope.parameters[name] = evaluate(definition.defaultValue, scope);
  }
  return scope;
}

/** Every template in the tree: the main one, then each module with its evaluated inputs. */
export function expandTemplates(
  template: Record<string, unknown>,
  scope = rootScope(template),
  modules: string[] = [],
): ExpandedTemplate[] {
  const result: ExpandedTemplate[] = [{ template, scope, modules }];
  for (const resource of resourcesOf(template)) {
    if (resource.type !== 'Microsoft.Resources/deployments' || resource.existing === true) continue;
    const properties = isRecord(resource.properties) ? resource.properties : {};
    if (!isRecord(properties.template)) continue;
    const moduleName = display(evaluate(resource.name, scope));
    const inner = properties.expressionEvaluationOptions;
    const innerScope = isRecord(inner) && inner.scope === 'inner';
    const nested = properties.template;
    let nestedScope: Scope;
    if (innerScope) {
      const given: Record<string, Value> = {};
      const passed = isRecord(properties.parameters) ? properties.parameters : {};
      for (const [name, entry] of Object.entries(passed)) {
        if (isRecord(entry) && 'value' in entry) given[name] = evaluate(entry.value, scope);
        // A conditional value compiles to one expression for the whole entry: { value: … }.
        else if (typeof entry === 'string') {
          const evaluated = evaluate(entry, scope);
          given[name] = isRecord(evaluated) && 'value' in evaluated ? (evaluated.value as Value) : UNRESOLVED;
        }
      }
      nestedScope = rootScope(nested, given);
    } else {
      nestedScope = scope;
    }
    result.push(...expandTemplates(nested, nestedScope, [...modules, moduleName]));
  }
  return result;
}

/** Every resource of every template in the tree, copy loops unrolled. */
export function expandResources(template: Record<string, unknown>, given: Record<string, Value> = {}): ExpandedResource[] {
  const result: ExpandedResource[] = [];
  for (const expanded of expandTemplates(template, rootScope(template, given))) {
    for (const raw of resourcesOf(expanded.template)) {
      const copy = isRecord(raw.copy) ? raw.copy : undefined;
      const count = copy ? evaluate(copy.count, expanded.scope) : 1;
      const indexes = copy ? (typeof count === 'number' ? [...Array(count).keys()] : [undefined]) : [undefined];
      for (const copyIndex of indexes) {
        const scope: Scope = copyIndex === undefined ? expanded.scope : { ...expanded.scope, copyIndex };
        result.push({
          type: String(raw.type),
          name: display(evaluate(raw.name, scope)),
          existing: raw.existing === true,
          condition: 'condition' in raw ? evaluate(raw.condition, scope) : true,
          raw,
          scope,
          modules: expanded.modules,
        });
      }
    }
  }
  return result;
}
