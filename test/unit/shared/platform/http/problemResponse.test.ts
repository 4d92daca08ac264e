import { AppError } from '../../../../../shared/platform/errors/AppError';
import { toProblemResponse } from '../../../../../shared/platform/http/problemResponse';

describe('toProblemResponse', () => {
  it('renders an AppError as RFC 9457 problem+json with its stable code and status', () => {
    const response = toProblemResponse(new AppError({ code: 'instance_not_found', detail: 'no instance "x"' }));
    expect(response.status).toBe(404);
    expect(response.headers['Content-Type']).toBe('application/problem+json');
    expect(JSON.parse(response.body)).toMatchObject({
      status: 404,
      code: 'instance_not_found',
      detail: 'no instance "x"',
      title: expect.any(String) as string,
      // A reference that resolves, against the request's URL, to the code's section of the served problem page.
      type: '/api/problems#instance_not_found',
    });
  });

  it('hides everything about an unexpected error', () => {
    const response = toProblemResponse(new Error('token=eyJhbGciOi secret at /srv/app.js:12'));
    expect(response.status).toBe(500);
    expect(response.body).not.toMatch(/eyJ|secret|app\.js/);
    expect(JSON.parse(response.body)).toMatchObject({ code: 'internal' });
  });

  it('carries the headers the error implies, such as WWW-Authenticate', () => {
    const response = toProblemResponse(
      new AppError({ code: 'invalid_token', headers: { 'WWW-Authenticate': 'Bearer error="invalid_token"' } }),
    );
    expect(response.status).toBe(401);
    expect(response.headers['WWW-Authenticate']).toBe('Bearer error="invalid_token"');
  });
});
