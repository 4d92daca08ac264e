import { renderProblemTypesPage } from '../shared/platform/http/renderProblemTypesPage';
import type { HttpServiceHandler } from './FunctionDefinition';

const page = renderProblemTypesPage();

/** `GET /api/problems`: what the `type` of every problem answer resolves to. Anonymous and static. */
export const problemTypes: HttpServiceHandler = () =>
  Promise.resolve({
    status: 200,
    headers: {
      'Content-Type': 'text/html; charset=utf-8',
      'Cache-Control': 'public, max-age=3600',
      'X-Content-Type-Options': 'nosniff',
      'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
    },
    body: page,
  });
