import { requireRole } from '../../../../shared/auth/requireRole';
import { AppError } from '../../../../shared/platform/errors/AppError';

describe('requireRole', () => {
  const caller = (roles: string[]) => ({ tenantId: '6f1c2a4e-8b0d-4c7e-9a51-3d2f0e6b7c18', userId: 'u', roles });

  it('lets a caller holding the role through', () => {
    expect(() => requireRole(caller(['Other.Role', 'Integration.Admin']), 'Integration.Admin')).not.toThrow();
  });

  it.each([[[]], [['Integration.Reader']], [['integration.admin']]])(
    'refuses a caller with roles %j with admin_role_required and an insufficient_scope challenge',
    (roles) => {
      let thrown: unknown;
      try {
        requireRole(caller(roles), 'Integration.Admin');
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(AppError);
      expect(thrown).toMatchObject({
        code: 'admin_role_required',
        detail: 'The app role Integration.Admin is required',
        headers: {
          'WWW-Authenticate':
            'Bearer realm="jira-outlook-cloud", error="insufficient_scope", error_description="The app role Integration.Admin is required"',
        },
      });
    },
  );
});
