import type { FunctionDefinition } from '../../functions/FunctionDefinition';

/**
 * The start-up checks the Azure Functions host applies to the functions a worker registers,
 * with the host's own messages, so the local host refuses what `func start` and Azure would
 * put in error. Sources (Azure/azure-functions-host unless said otherwise):
 * - function names: `WorkerFunctionMetadataProvider.ValidateName`, `Utility.FunctionNameValidationRegex`;
 * - bindings: `WorkerFunctionMetadataProvider.ValidateBindings`, `Utility.ValidateBinding`;
 * - HTTP routes: `ScriptHost.ValidateFunction`, `ValidateHttpFunction`, `HttpRoutesConflict`;
 * - queue names: the storage extension's `NormalizeAndValidate` and `QueueClientExtensions.ValidateQueueName`
 *   (Azure/azure-sdk-for-net), which lower-cases the name before checking it;
 * - schedules: the timers extension's `TimerSchedule.Create` and `CronSchedule` (azure-webjobs-sdk-extensions),
 *   which take a 5- or 6-field NCRONTAB expression or a TimeSpan.
 * The host does not stop at a bad function: it logs "The '<name>' function is in error: …" and runs
 * the rest. A function missing in Azure is a silent 404, so locally a bad table refuses to start.
 */

/** One binding as the worker hands it to the host (an entry of `rawBindings`). */
export interface HostBinding {
  name: string;
  type: string;
  direction: string;
  route?: string;
  methods?: readonly string[];
  queueName?: string;
  schedule?: string;
}

/** A function as the host indexes it: its name and its bindings. */
export interface HostFunction {
  name: string;
  bindings: readonly HostBinding[];
}

export interface FunctionError {
  functionName: string;
  /** The host's message, as it logs it after "The '<name>' function is in error: ". */
  message: string;
}

/** The line the host logs for a function it put in error. */
export function formatFunctionError(error: FunctionError): string {
  return `The '${error.functionName}' function is in error: ${error.message}`;
}

/** Thrown by `validateFunctionTable`: every function the host would refuse, one line each. */
export class FunctionTableRefusedError extends Error {
  readonly errors: readonly FunctionError[];

  constructor(errors: readonly FunctionError[]) {
    const lines = errors.map((error) => `  ${formatFunctionError(error)}`);
    super(`the Azure Functions host would refuse ${errors.length} function(s) of this table:\n${lines.join('\n')}`);
    this.name = 'FunctionTableRefusedError';
    this.errors = errors;
  }
}

/** Refuses (throws `FunctionTableRefusedError`) a function table the host would not run in full. */
export function validateFunctionTable(table: readonly FunctionDefinition[]): void {
  const errors = hostFunctionErrors(hostFunctionsOf(table));
  if (errors.length > 0) throw new FunctionTableRefusedError(errors);
}

/** The table as `functions/index.ts` registers it through `@azure/functions`: a trigger, and `$return` for HTTP. */
export function hostFunctionsOf(table: readonly FunctionDefinition[]): HostFunction[] {
  return table.map((definition): HostFunction => {
    switch (definition.kind) {
      case 'http':
        return {
          name: definition.name,
          bindings: [
            { name: 'httpTrigger', type: 'httpTrigger', direction: 'in', route: definition.route, methods: definition.methods },
            { name: '$return', type: 'http', direction: 'out' },
          ],
        };
      case 'queue':
        return {
          name: definition.name,
          bindings: [{ name: 'queueTrigger', type: 'queueTrigger', direction: 'in', queueName: definition.queueName }],
        };
      case 'timer':
        return {
          name: definition.name,
          bindings: [{ name: 'timerTrigger', type: 'timerTrigger', direction: 'in', schedule: definition.schedule }],
        };
    }
  });
}

// `(?<!^host$)`: the host reserves the name `host` (host.json's folder name in the classic layout).
const FUNCTION_NAME = /^[a-z][a-z0-9_-]{0,127}$(?<!^host$)/i;
const BINDING_NAME = /^([a-zA-Z][a-zA-Z0-9]{0,127}|\$return)$/;

/** Every function the host would put in error, in registration order; empty when it runs them all. */
export function hostFunctionErrors(functions: readonly HostFunction[]): FunctionError[] {
  const errors: FunctionError[] = [];
  const accepted = new Set<string>();
  // Only functions that passed their own checks take part in the route conflict check, as in the host.
  const httpRoutes: { functionName: string; route: string; methods: readonly string[] }[] = [];

  for (const fn of functions) {
    const message = checkFunction(fn, accepted, httpRoutes);
    if (message !== undefined) {
      errors.push({ functionName: fn.name, message });
      continue;
    }
    accepted.add(fn.name.toLowerCase());
    const http = fn.bindings.find(isHttpTrigger);
    if (http) httpRoutes.push({ functionName: fn.name, route: effectiveRoute(fn.name, http), methods: http.methods ?? [] });
  }
  return errors;
}

function checkFunction(
  fn: HostFunction,
  accepted: ReadonlySet<string>,
  httpRoutes: readonly { functionName: string; route: string; methods: readonly string[] }[],
): string | undefined {
  if (!FUNCTION_NAME.test(fn.name)) return `'${fn.name}' is not a valid function name.`;

  const bindingProblem = checkBindings(fn.bindings);
  if (bindingProblem !== undefined) return bindingProblem;

  const trigger = fn.bindings.find((binding) => binding.direction === 'in' && /trigger$/i.test(binding.type))!;
  const type = trigger.type.toLowerCase();
  if (type === 'httptrigger') {
    const route = effectiveRoute(fn.name, trigger);
    const lowered = route.toLowerCase();
    if (lowered.startsWith('admin') || lowered.startsWith('runtime'))
      return 'The specified route conflicts with one or more built in routes.';
    const methods = trigger.methods ?? [];
    const conflict = httpRoutes.find((other) => other.route.toLowerCase() === lowered && methodsIntersect(methods, other.methods));
    if (conflict) return `The route specified conflicts with the route defined by function '${conflict.functionName}'.`;
  } else if (type === 'queuetrigger') {
    const problem = queueNameProblem((trigger.queueName ?? '').toLowerCase());
    if (problem !== undefined) return problem;
  } else if (type === 'timertrigger') {
    const schedule = trigger.schedule ?? '';
    if (!isNcrontab(schedule) && !isTimeSpan(schedule))
      return `The schedule expression '${schedule}' was not recognized as a valid cron expression or timespan string.`;
  }

  // The host checks this for HTTP functions; a duplicate of any kind would shadow the other anyway.
  if (accepted.has(fn.name.toLowerCase())) return `The function or proxy name '${fn.name}' must be unique within the function app.`;
  return undefined;
}

function checkBindings(bindings: readonly HostBinding[]): string | undefined {
  const names = new Set<string>();
  for (const binding of bindings) {
    if (!BINDING_NAME.test(binding.name)) return `The binding name ${binding.name} is invalid. Please assign a valid name to the binding.`;
    if (binding.name === '$return' && binding.direction !== 'out') return "$return bindings must specify a direction of 'out'.";
    const key = binding.name.toLowerCase();
    if (names.has(key)) return `Multiple bindings with name '${binding.name}' discovered. Binding names must be unique.`;
    names.add(key);
  }
  if (bindings.length === 0) return 'At least one binding must be declared.';
  if (!bindings.some((binding) => binding.direction === 'in' && /trigger$/i.test(binding.type)))
    return 'No trigger binding specified. A function must have a trigger input binding.';
  return undefined;
}

function isHttpTrigger(binding: HostBinding): boolean {
  return binding.direction === 'in' && binding.type.toLowerCase() === 'httptrigger';
}

/** The route the host maps: the function's name when none is given, without leading or trailing `/`. */
function effectiveRoute(functionName: string, trigger: HostBinding): string {
  const route = trigger.route === undefined || trigger.route.trim() === '' ? functionName : trigger.route;
  return route.replace(/^\/+|\/+$/g, '');
}

/** No methods means every method, which meets any other set. */
function methodsIntersect(a: readonly string[], b: readonly string[]): boolean {
  if (a.length === 0 || b.length === 0) return true;
  const upper = new Set(a.map((method) => method.toUpperCase()));
  return b.some((method) => upper.has(method.toUpperCase()));
}

/** The storage extension's rules and messages, applied to the already lower-cased name. */
export function queueNameProblem(name: string): string | undefined {
  if (name === '') return "A queue name can't be null or empty";
  if (name.length < 3 || name.length > 63) return `A queue name must be from 3 to 63 characters long - "${name}"`;
  if (name.startsWith('-') || name.endsWith('-')) return `The dash (-) character may not be the first or last letter - "${name}"`;
  // The extension lets any Unicode letter through here; the storage service then refuses it, so ASCII it is.
  if (!/^[a-z0-9-]+$/.test(name)) return `A queue name can contain only letters, numbers, and dash(-) characters - "${name}"`;
  if (name.includes('--')) return 'A queue name cannot contain consecutive dash(-) characters.';
  return undefined;
}

interface CronField {
  min: number;
  max: number;
  names?: readonly string[];
}

const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];
const DAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
const CRON_FIELDS: readonly CronField[] = [
  { min: 0, max: 59 },
  { min: 0, max: 59 },
  { min: 0, max: 23 },
  { min: 1, max: 31 },
  { min: 1, max: 12, names: MONTHS },
  { min: 0, max: 6, names: DAYS },
];

/**
 * NCRONTAB as the timers extension parses it (NCrontab): six fields with seconds, or five
 * without when there are exactly five; each a comma list of `*`, `n`, `n-m`, optionally `/step`;
 * months and days of the week also by name or any prefix of one.
 */
export function isNcrontab(expression: string): boolean {
  const fields = expression.split(/\s+/).filter((field) => field.length > 0);
  if (fields.length !== 5 && fields.length !== 6) return false;
  const specs = fields.length === 6 ? CRON_FIELDS : CRON_FIELDS.slice(1);
  return fields.every((field, index) => field.split(',').every((item) => isCronItem(item, specs[index]!)));
}

function isCronItem(item: string, field: CronField): boolean {
  const [range, step, extra] = item.split('/');
  if (extra !== undefined || range === undefined || range === '') return false;
  if (step !== undefined && !(/^\d+$/.test(step) && Number(step) >= 1)) return false;
  if (range === '*') return true;
  const bounds = range.split('-');
  if (bounds.length > 2) return false;
  return bounds.every((bound) => cronValue(bound, field) !== undefined);
}

function cronValue(text: string, field: CronField): number | undefined {
  if (/^\d+$/.test(text)) {
    const value = Number(text);
    return value >= field.min && value <= field.max ? value : undefined;
  }
  if (text === '' || !field.names) return undefined;
  const index = field.names.findIndex((name) => name.startsWith(text.toLowerCase()));
  return index < 0 ? undefined : field.min + index;
}

/** .NET `TimeSpan.TryParse` with the invariant culture: `d`, `[d.]hh:mm[:ss[.fffffff]]` or `d:hh:mm:ss[.fffffff]`. */
export function isTimeSpan(text: string): boolean {
  const value = text.trim();
  if (/^-?\d+$/.test(value)) return true;
  const clock =
    /^-?(?:\d+\.)?(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.\d{1,7})?)?$/.exec(value) ??
    /^-?\d+:(\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.\d{1,7})?$/.exec(value);
  if (!clock) return false;
  const [, hours, minutes, seconds] = clock;
  return Number(hours) < 24 && Number(minutes) < 60 && (seconds === undefined || Number(seconds) < 60);
}
