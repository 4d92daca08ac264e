import { AppError } from '../../../../shared/platform/errors/AppError';
import { parseDeployArgs } from '../../../../infra/deploy/parseDeployArgs';

const subscription = '00000000-1111-2222-3333-444444444444';

function errorOf(argv: string[]): AppError {
  try {
    parseDeployArgs(argv);
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected an AppError');
}

describe('parseDeployArgs', () => {
  it('reads the options of npm run deploy', () => {
    expect(
      parseDeployArgs([
        '--subscription',
        subscription,
        '--resource-group',
        'rg-jira',
        '--location',
        'West Europe',
        '--what-if',
        '--parameters',
        'prod.json',
        '--environment',
        'prod',
        '--rotate-data-key',
      ]),
    ).toEqual({
      subscription,
      resourceGroup: 'rg-jira',
      location: 'westeurope',
      whatIf: true,
      rotateDataKey: true,
      parametersFile: 'prod.json',
      environmentName: 'prod',
      deploymentName: undefined,
    });
  });

  it('defaults to a real deployment with the default parameters file', () => {
    const options = parseDeployArgs(['--subscription', subscription, '--resource-group', 'rg', '--location', 'swedencentral']);
    expect(options).toMatchObject({ whatIf: false, rotateDataKey: false, parametersFile: undefined, environmentName: undefined });
  });

  it('answers help', () => {
    expect(parseDeployArgs(['--help'])).toBe('help');
  });

  it('names every missing option at once, with the usage', () => {
    const error = errorOf([]);
    expect(error.code).toBe('bad_request');
    expect(error.detail).toContain('--subscription is required');
    expect(error.detail).toContain('--resource-group is required');
    expect(error.detail).toContain('--location is required');
    expect(error.detail).toContain('Usage: npm run deploy');
  });

  it('refuses a malformed subscription and an unknown option', () => {
    expect(errorOf(['--subscription', 'mine', '--resource-group', 'rg', '--location', 'westeurope']).detail).toContain(
      'expected a subscription id',
    );
    expect(
      errorOf(['--subscription', subscription, '--resource-group', 'rg', '--location', 'westeurope', '--secret', 'x']).detail,
    ).toContain("Unknown option '--secret'");
  });
});
