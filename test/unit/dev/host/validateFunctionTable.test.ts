import {
  FunctionTableRefusedError,
  formatFunctionError,
  hostFunctionErrors,
  isNcrontab,
  isTimeSpan,
  queueNameProblem,
  validateFunctionTable,
  type HostFunction,
} from '../../../../dev/host/validateFunctionTable';
import type { FunctionDefinition, HttpMethod } from '../../../../functions/FunctionDefinition';
import { functionTable } from '../../../../functions/functionTable';

const handler = async () => ({ status: 204 });
const noop = async () => undefined;
const http = (name: string, route: string, methods: HttpMethod[] = ['GET']): FunctionDefinition => ({
  kind: 'http',
  name,
  route,
  methods,
  handler,
});
const queue = (name: string, queueName: string): FunctionDefinition => ({ kind: 'queue', name, queueName, handler: noop });
const timer = (name: string, schedule: string): FunctionDefinition => ({ kind: 'timer', name, schedule, handler: noop });

/** The host's lines for a table, or [] when it would run every function. */
function refusals(table: FunctionDefinition[]): string[] {
  try {
    validateFunctionTable(table);
    return [];
  } catch (error) {
    if (!(error instanceof FunctionTableRefusedError)) throw error;
    return error.errors.map(formatFunctionError);
  }
}

describe('the Functions host start-up checks', () => {
  it("accept the app's own function table", () => {
    expect(refusals([...functionTable])).toEqual([]);
  });

  describe('reserved routes (ScriptHost.ValidateHttpFunction)', () => {
    it.each(['admin/instances', '/Admin/x', 'administration', 'runtime/webhooks', 'RUNTIMEX', '//admin//'])('refuse %s', (route) => {
      expect(refusals([http('reserved', route)])).toEqual([
        "The 'reserved' function is in error: The specified route conflicts with one or more built in routes.",
      ]);
    });

    it('accept the same words further down the route, and manage/', () => {
      expect(refusals([http('a', 'manage/instances'), http('b', 'x/admin'), http('c', 'api/runtime')])).toEqual([]);
    });

    it('check the function name when the route is empty, as the host routes it by name', () => {
      expect(refusals([http('adminPanel', '')])).toEqual([
        "The 'adminPanel' function is in error: The specified route conflicts with one or more built in routes.",
      ]);
    });
  });

  describe('function names (^[a-z][a-z0-9_-]{0,127}$, case-insensitive, not "host")', () => {
    it.each(['licenseCheck', 'a', 'Process_Mail-2', `a${'b'.repeat(127)}`])('accept %s', (name) => {
      expect(refusals([timer(name, '0 0 * * * *')])).toEqual([]);
    });

    it.each(['1abc', '_abc', 'has space', 'dot.ted', 'host', 'HOST', `a${'b'.repeat(128)}`, ''])('refuse "%s"', (name) => {
      expect(refusals([timer(name, '0 0 * * * *')])).toEqual([
        `The '${name}' function is in error: '${name}' is not a valid function name.`,
      ]);
    });
  });

  describe('two functions on one route', () => {
    it('refuse the second when route (trimmed, any case) and a method meet', () => {
      expect(refusals([http('first', 'links', ['GET', 'POST']), http('second', '/LINKS/', ['POST'])])).toEqual([
        "The 'second' function is in error: The route specified conflicts with the route defined by function 'first'.",
      ]);
    });

    it('accept the same route under different methods', () => {
      expect(refusals([http('read', 'links', ['GET']), http('write', 'links', ['POST', 'DELETE'])])).toEqual([]);
    });

    it('treat no methods as every method', () => {
      expect(refusals([http('any', 'links', []), http('read', 'links', ['GET'])])).toEqual([
        "The 'read' function is in error: The route specified conflicts with the route defined by function 'any'.",
      ]);
    });

    it('refuse a second function of the same name, in any case', () => {
      expect(refusals([timer('prune', '0 0 * * * *'), queue('Prune', 'jobs')])).toEqual([
        "The 'Prune' function is in error: The function or proxy name 'Prune' must be unique within the function app.",
      ]);
    });
  });

  describe('queue names (storage extension, after lower-casing)', () => {
    it.each(['abc', 'graph-notifications', 'a1-b2-c3', 'Graph-Lifecycle', 'x'.repeat(63)])('accept %s', (name) => {
      expect(refusals([queue('worker', name)])).toEqual([]);
    });

    it.each([
      ['ab', 'A queue name must be from 3 to 63 characters long - "ab"'],
      ['x'.repeat(64), `A queue name must be from 3 to 63 characters long - "${'x'.repeat(64)}"`],
      ['-abc', 'The dash (-) character may not be the first or last letter - "-abc"'],
      ['abc-', 'The dash (-) character may not be the first or last letter - "abc-"'],
      ['a_bc', 'A queue name can contain only letters, numbers, and dash(-) characters - "a_bc"'],
      ['a--bc', 'A queue name cannot contain consecutive dash(-) characters.'],
      ['', "A queue name can't be null or empty"],
    ])('refuse "%s"', (name, message) => {
      expect(refusals([queue('worker', name)])).toEqual([`The 'worker' function is in error: ${message}`]);
      expect(queueNameProblem(name.toLowerCase())).toBe(message);
    });
  });

  describe('timer schedules (NCRONTAB, or a TimeSpan)', () => {
    it.each([
      '0 17 3 * * *',
      '0 */5 * * * *',
      '*/10 0-30/5 9-17 1,15 Jan-Mar Mon-Fri',
      '0 30 9 * jan mon',
      '  0   0  *  *  *  *  ',
      '*/5 * * * *',
      '00:05:00',
      '1.02:03:04',
      '2',
    ])('accept "%s"', (schedule) => {
      expect(refusals([timer('tick', schedule)])).toEqual([]);
    });

    it.each([
      'every night',
      '0 0 25 * * *',
      '0 60 * * * *',
      '* * * *',
      '* * * * * * *',
      '0 0 * * * 7',
      '0 0 * * * Funday',
      '0 0/0 * * * *',
      '12:60',
    ])('refuse "%s"', (schedule) => {
      expect(refusals([timer('tick', schedule)])).toEqual([
        `The 'tick' function is in error: The schedule expression '${schedule}' was not recognized as a valid cron expression or timespan string.`,
      ]);
    });

    it('read TimeSpan and NCRONTAB as the host does', () => {
      expect(isNcrontab('0 0 3 * * *')).toBe(true);
      expect(isNcrontab('0 0 3 * * L')).toBe(false);
      expect(isTimeSpan('00:00:30.5')).toBe(true);
      expect(isTimeSpan('1:02:03:04')).toBe(true);
      expect(isTimeSpan('1:02:03')).toBe(true);
      expect(isTimeSpan('12:60')).toBe(false);
    });
  });

  describe('bindings as a worker registers them', () => {
    const fn = (bindings: HostFunction['bindings']): HostFunction[] => [{ name: 'f', bindings }];

    it('refuse an invalid binding name, a duplicate one, and a function without a trigger', () => {
      expect(hostFunctionErrors(fn([{ name: 'my-trigger', type: 'httpTrigger', direction: 'in' }]))).toEqual([
        { functionName: 'f', message: 'The binding name my-trigger is invalid. Please assign a valid name to the binding.' },
      ]);
      expect(
        hostFunctionErrors(
          fn([
            { name: 'req', type: 'httpTrigger', direction: 'in' },
            { name: 'REQ', type: 'http', direction: 'out' },
          ]),
        ),
      ).toEqual([{ functionName: 'f', message: "Multiple bindings with name 'REQ' discovered. Binding names must be unique." }]);
      expect(hostFunctionErrors(fn([{ name: '$return', type: 'http', direction: 'out' }]))).toEqual([
        { functionName: 'f', message: 'No trigger binding specified. A function must have a trigger input binding.' },
      ]);
      expect(hostFunctionErrors(fn([]))).toEqual([{ functionName: 'f', message: 'At least one binding must be declared.' }]);
    });
  });

  it('report every refused function at once, and keep a refused one out of later conflicts', () => {
    expect(
      refusals([http('admin', 'admin/x'), http('ok', 'admin/x'.replace('admin', 'manage')), queue('q', 'a'), timer('t', 'never')]),
    ).toEqual([
      "The 'admin' function is in error: The specified route conflicts with one or more built in routes.",
      'The \'q\' function is in error: A queue name must be from 3 to 63 characters long - "a"',
      "The 't' function is in error: The schedule expression 'never' was not recognized as a valid cron expression or timespan string.",
    ]);
  });
});
