import { requireOperator } from '../../../../shared/auth/requireOperator';
import { isAppError } from '../../../../shared/platform/errors/AppError';

const OPERATOR_TENANT = '6f1c2a4e-8b0d-4c7e-9a51-3d2f0e6b7c18';
const policy = { role: 'Integration.Operator', tenantId: OPERATOR_TENANT };

function codeOf(action: () => void): string | undefined {
  try {
    action();
    return undefined;
  } catch (error) {
    return isAppError(error) ? error.code : 'not an AppError';
  }
}

describe('requireOperator', () => {
  const caller = (tenantId: string, roles: string[]) => ({ tenantId, userId: 'u', roles });

  it("accepts the role in the operator's tenant only", () => {
    expect(codeOf(() => requireOperator(caller(OPERATOR_TENANT, ['Integration.Operator']), policy))).toBeUndefined();
    // A customer's admin can assign our app's roles inside their own tenant.
    expect(codeOf(() => requireOperator(caller('11111111-1111-4111-8111-111111111111', ['Integration.Operator']), policy))).toBe(
      'operator_role_required',
    );
    expect(codeOf(() => requireOperator(caller(OPERATOR_TENANT, ['Integration.Admin']), policy))).toBe('operator_role_required');
  });

  it('refuses with an insufficient_scope challenge that says what is missing', () => {
    let thrown: unknown;
    try {
      requireOperator(caller(OPERATOR_TENANT, ['Integration.Admin']), policy);
    } catch (error) {
      thrown = error;
    }
    const description = "Deployment-wide operations need the operator app role in the operator's tenant";
    expect(thrown).toMatchObject({
      code: 'operator_role_required',
      detail: description,
      headers: { 'WWW-Authenticate': `Bearer realm="jira-outlook-cloud", error="insufficient_scope", error_description="${description}"` },
    });
  });

  it('without a policy nobody is an operator', () => {
    expect(codeOf(() => requireOperator(caller(OPERATOR_TENANT, ['Integration.Operator']), undefined))).toBe('operator_role_required');
  });
});
