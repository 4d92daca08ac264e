import { z } from 'zod';
import { AppError } from '../../shared/platform/errors/AppError';

export interface PublishPackageInit {
  /** The zip `npm run package` printed. */
  zipPath: string;
  readFile: (file: string) => Promise<Uint8Array>;
  /** The app's SCM (Kudu) site, `https://<app>.scm.<…>` (see `scmUrlOf`). */
  scmUrl: string;
  /** A Microsoft Entra ID bearer token for the SCM site: basic-auth publishing is off. */
  accessToken: () => Promise<string>;
  print: (line: string) => void;
  wait: (ms: number) => Promise<void>;
  pollIntervalMs: number;
  /** How many status polls before giving up. */
  maxPolls: number;
}

// Kudu's DeployStatus values, as /api/deployments reports them.
const FAILED = 3;
const SUCCESS = 4;
const STATUS_TEXT: Record<number, string> = {
  0: 'Pending',
  1: 'Building',
  2: 'Deploying',
  3: 'Failed',
  4: 'Succeeded',
  5: 'Conflict',
  6: 'Partly succeeded',
};

const deploymentSchema = z.looseObject({
  id: z.string().optional(),
  status: z.number().int(),
  status_text: z.string().nullish(),
  progress: z.string().nullish(),
  complete: z.boolean().nullish(),
  log_url: z.string().nullish(),
});

/**
 * Publishes the package to a Flex Consumption app by one-deploy, as
 * `az functionapp deployment source config-zip` does for Flex: `POST <scm>/api/publish?RemoteBuild=false`
 * with the zip as `application/zip` and a bearer token; the SCM site answers 202 and
 * deploys in the background, so this follows the deployment's status until it ends.
 */
export async function publishPackage(init: PublishPackageInit): Promise<void> {
  const { print, scmUrl } = init;
  const zip = await init.readFile(init.zipPath);
  const origin = new URL(scmUrl).origin;
  print(`Publishing ${init.zipPath} (${(zip.length / 1024 / 1024).toFixed(1)} MB) to ${origin} (Flex Consumption one-deploy) …`);

  let response: Response;
  try {
    response = await fetch(`${origin}/api/publish?RemoteBuild=false`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${await init.accessToken()}`, 'Content-Type': 'application/zip', 'Cache-Control': 'no-cache' },
      // A copy on its own ArrayBuffer: what fetch takes as a body.
      body: new Uint8Array(zip),
    });
  } catch (error) {
    throw new AppError({ code: 'deployment_failed', detail: `publishing: ${origin} could not be reached`, cause: error });
  }
  const answer = (await response.text()).slice(0, 300);
  if (response.status === 409) {
    throw new AppError({
      code: 'deployment_failed',
      detail: `publishing: another deployment is in progress (${origin}/api/deployments/latest)`,
    });
  }
  if (response.status !== 202 && !response.ok) {
    throw new AppError({
      code: 'deployment_failed',
      detail: `publishing: the SCM site answered ${response.status}${answer ? `: ${answer}` : ''}`,
    });
  }
  print(`  Uploaded; the app is deploying it.`);

  // Follow the Location the SCM site gives (never sending the token to another host), else the
  // deployment id it answers with; `latest` only as a last resort, as it may still be the previous one.
  const location = response.headers.get('location');
  const given = location ? new URL(location, origin) : undefined;
  const id = /^"?([\w-]{8,})"?$/.exec(answer.trim())?.[1];
  const statusUrl =
    given && given.origin === origin ? given.href : id ? `${origin}/api/deployments/${id}` : `${origin}/api/deployments/latest`;

  let last = '';
  for (let poll = 0; poll < init.maxPolls; poll += 1) {
    if (poll > 0) await init.wait(init.pollIntervalMs);
    const status = await fetch(statusUrl, {
      headers: { Authorization: `Bearer ${await init.accessToken()}`, Accept: 'application/json' },
    }).catch(() => undefined);
    // Not there yet, or a blip while the SCM site is busy: ask again.
    if (!status?.ok) continue;
    const parsed = deploymentSchema.safeParse(await status.json().catch(() => undefined));
    if (!parsed.success) continue;
    const deployment = parsed.data;
    const name = STATUS_TEXT[deployment.status] ?? `status ${deployment.status}`;
    const detail = deployment.progress || deployment.status_text;
    const text = detail && detail !== name ? `${name}: ${detail}` : name;
    if (text !== last) print(`  ${text}`);
    last = text;
    if (deployment.status === SUCCESS && deployment.complete !== false) {
      print('  Published.');
      return;
    }
    if (deployment.status === FAILED || (deployment.complete === true && deployment.status !== SUCCESS)) {
      const log = deployment.log_url ? ` (log: ${deployment.log_url})` : '';
      throw new AppError({ code: 'deployment_failed', detail: `publishing: the deployment ended ${text}${log}` });
    }
  }
  throw new AppError({
    code: 'deployment_failed',
    detail: `publishing: the deployment did not finish within ${init.maxPolls} status checks; follow it at ${statusUrl}`,
  });
}

/**
 * The SCM site of an app from its default host name: `.scm` after the first label, for the
 * classic `app.azurewebsites.net` and Flex Consumption's `app-hash.region-01.azurewebsites.net` alike.
 */
export function scmUrlOf(hostName: string): string {
  const [first, ...rest] = hostName
    .replace(/^https?:\/\//, '')
    .replace(/\/.*$/, '')
    .split('.');
  if (!first || rest.length === 0) throw new AppError({ code: 'deployment_failed', detail: `${hostName} is not a function app host name` });
  return `https://${first}.scm.${rest.join('.')}`;
}
