import { panelAssets } from '../shared/admin/ui/panelAssets';
import { AppError } from '../shared/platform/errors/AppError';
import type { HttpServiceHandler } from './FunctionDefinition';

/**
 * `GET /api/manage/ui/assets/{name}`: the panel's script and style sheet, from the app
 * itself (no CDN). Anonymous: they hold code, not data. A URL with the current content
 * hash (`?v=`) may be cached for good.
 */
export const manageUiAsset: HttpServiceHandler = async (request) => {
  const asset = panelAssets.get(request.params.name ?? '');
  if (!asset) throw new AppError({ code: 'not_found', detail: 'no such asset' });
  const immutable = request.query.get('v') === asset.version;
  return {
    status: 200,
    headers: {
      'Content-Type': asset.contentType,
      'Cache-Control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
      ETag: `"${asset.version}"`,
      'X-Content-Type-Options': 'nosniff',
      'Cross-Origin-Resource-Policy': 'same-origin',
    },
    body: asset.text,
  };
};
