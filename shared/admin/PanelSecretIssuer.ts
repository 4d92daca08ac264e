import type { SecretBox } from '../platform/crypto/SecretBox';
import { AppError } from '../platform/errors/AppError';
import type { Clock } from '../platform/clock';
import type { InstanceRepository } from '../platform/storage/instances/InstanceRepository';
import { toPanelIssuer, type PanelInstanceRef } from './panelIssuer';
import { newPanelSecret, panelSecretContext } from './panelSecret';

/** What the Jira admin enters in the Jira app, shown once: only its sealed form is kept. */
export interface PanelCredentials {
  /** The `iss` of the app's tokens. */
  issuer: string;
  /** The HS256 shared secret (its UTF-8 bytes are the key). */
  sharedSecret: string;
}

export interface PanelSecretIssuerInit {
  repository: Pick<InstanceRepository, 'getVersioned' | 'update'>;
  secrets: Pick<SecretBox, 'seal'>;
  clock: Clock;
  /** Called after a change so cached copies of the row are dropped (e.g. `InstanceService.invalidate`). */
  onChanged?: (ref: PanelInstanceRef) => void;
}

const MAX_UPDATE_ATTEMPTS = 3;

/**
 * Gives an instance a new panel secret, replacing any previous one (tokens signed with the
 * old one stop working at once). Called when the instance is registered and whenever an
 * admin rotates it; the row is updated with its ETag, so a concurrent registration is not
 * overwritten.
 */
export class PanelSecretIssuer {
  private readonly repository: PanelSecretIssuerInit['repository'];
  private readonly secrets: PanelSecretIssuerInit['secrets'];
  private readonly clock: Clock;
  private readonly onChanged: PanelSecretIssuerInit['onChanged'];

  constructor(init: PanelSecretIssuerInit) {
    this.repository = init.repository;
    this.secrets = init.secrets;
    this.clock = init.clock;
    this.onChanged = init.onChanged;
  }

  async issue(ref: PanelInstanceRef): Promise<PanelCredentials> {
    const sharedSecret = newPanelSecret();
    const encryptedAdminSecret = this.secrets.seal(sharedSecret, panelSecretContext(ref.tenantId, ref.instanceId));
    for (let attempt = 0; attempt < MAX_UPDATE_ATTEMPTS; attempt += 1) {
      const existing = await this.repository.getVersioned(ref);
      if (!existing) throw new AppError({ code: 'instance_not_found', detail: 'no Jira instance with this id' });
      const updated = { ...existing.entity, encryptedAdminSecret, updatedAt: new Date(this.clock.now()).toISOString() };
      if (await this.repository.update(updated, existing.etag)) {
        this.onChanged?.(ref);
        return { issuer: toPanelIssuer(ref), sharedSecret };
      }
    }
    throw new AppError({ code: 'conflict', detail: 'the instance was changed concurrently; try again' });
  }
}
