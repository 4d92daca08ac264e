import { createHash } from 'node:crypto';
import { panelScript } from './panelScript';
import { panelStyles } from './panelStyles';

export interface PanelAsset {
  contentType: string;
  text: string;
  /** Content hash: the `?v=` of the asset's URL, so a cached copy is never stale. */
  version: string;
}

function asset(contentType: string, text: string): PanelAsset {
  return { contentType, text, version: createHash('sha256').update(text, 'utf8').digest('base64url').slice(0, 16) };
}

/**
 * The panel's static files by name. They are TypeScript modules, so the build emits them
 * with the code and `func start`, the local host and a deployed package all serve the same
 * bytes; there is no file path to get wrong and no CDN (the page works behind a firewall).
 */
export const panelAssets: ReadonlyMap<string, PanelAsset> = new Map([
  ['panel.js', asset('text/javascript; charset=utf-8', panelScript)],
  ['panel.css', asset('text/css; charset=utf-8', panelStyles)],
]);
