namespace Tessera.Domain.Audit;

public static class AuditEventTypes
{
    public const string Registered = "account.registered";
    public const string EmailConfirmed = "account.email_confirmed";
    public const string SignIn = "account.sign_in";
    public const string LockedOut = "account.locked_out";
    public const string SignOut = "account.sign_out";
    public const string PasswordResetRequested = "account.password_reset_requested";
    public const string PasswordReset = "account.password_reset";
    public const string RoleGranted = "account.role_granted";
    public const string RoleRevoked = "account.role_revoked";
}
