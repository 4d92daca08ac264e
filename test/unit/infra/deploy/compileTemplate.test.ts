import path from 'node:path';
import { AppError } from '../../../../shared/platform/errors/AppError';
import { compileTemplate } from '../../../../infra/deploy/compileTemplate';

const minimal = JSON.stringify({
  $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
  resources: [],
});

describe('compileTemplate', () => {
  it('runs infra/bicep.sh in the repository, then reads infra/build/main.json', async () => {
    const calls: string[] = [];
    const template = await compileTemplate({
      repoRoot: '/repo',
      run: async (command, args, cwd) => {
        calls.push(`${cwd}: ${command} ${args.join(' ')}`);
      },
      readFile: async (file) => {
        calls.push(`read ${file}`);
        return minimal;
      },
    });
    expect(calls).toEqual([`/repo: bash ${path.join('infra', 'bicep.sh')}`, `read ${path.join('/repo', 'infra', 'build', 'main.json')}`]);
    expect(template).toMatchObject({ resources: [], parameters: {}, outputs: {} });
  });

  it('stops when the Bicep build or lint fails', async () => {
    const failing = compileTemplate({ repoRoot: '/repo', run: () => Promise.reject(new Error('exit 1')), readFile: async () => minimal });
    await expect(failing).rejects.toBeInstanceOf(AppError);
    await expect(failing).rejects.toMatchObject({ code: 'deployment_failed' });
  });

  it('refuses a file that is not an ARM template', async () => {
    await expect(
      compileTemplate({ repoRoot: '/repo', run: async () => undefined, readFile: async () => '{"hello":1}' }),
    ).rejects.toMatchObject({
      code: 'deployment_failed',
    });
  });
});
