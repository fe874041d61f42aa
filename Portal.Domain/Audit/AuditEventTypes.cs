namespace Tessera.Domain.Audit;

public static class AuditEventTypes
{
    public const string Registered = "account.registered";
    public const string EmailConfirmed = "account.email_confirmed";
    public const string SignIn = "account.sign_in";
    public const string PasswordVerified = "account.password_verified";
    public const string LockedOut = "account.locked_out";
    public const string SignOut = "account.sign_out";
    public const string SessionEnded = "account.session_ended";
    public const string OtherSessionsEnded = "account.other_sessions_ended";
    public const string PasswordResetRequested = "account.password_reset_requested";
    public const string PasswordReset = "account.password_reset";
    public const string RoleGranted = "account.role_granted";
    public const string RoleRevoked = "account.role_revoked";
    public const string AuthenticatorAdded = "factor.totp_added";
    public const string AuthenticatorRenamed = "factor.totp_renamed";
    public const string AuthenticatorRemoved = "factor.totp_removed";
    public const string AuthenticatorVerified = "factor.totp_verified";
    public const string AuthenticatorReplay = "factor.totp_replay";
    public const string RecoveryCodeUsed = "factor.recovery_code_used";
    public const string RecoveryCodesGenerated = "factor.recovery_codes_generated";
    public const string SecondFactorLockedOut = "factor.locked_out";
    public const string PasskeyModelPolicyChanged = "policy.passkey_models_changed";
    public const string PoliciesChanged = "policy.policies_changed";
    public const string PasskeyAdded = "factor.passkey_added";
    public const string PasskeyRenamed = "factor.passkey_renamed";
    public const string PasskeyRemoved = "factor.passkey_removed";
    public const string PasskeyVerified = "factor.passkey_verified";
    public const string PasskeyCloneSuspected = "factor.passkey_clone_suspected";
    public const string PhoneAdded = "factor.phone_added";
    public const string PhoneVerified = "factor.phone_verified";
    public const string PhoneRemoved = "factor.phone_removed";
    public const string PushDeviceAdded = "factor.push_added";
    public const string PushDeviceRenamed = "factor.push_renamed";
    public const string PushDeviceRemoved = "factor.push_removed";
    public const string PushDeviceGone = "factor.push_gone";
    public const string ChallengeCreated = "challenge.created";
    public const string ChallengeChecked = "challenge.checked";
    public const string ChallengeResent = "challenge.resent";
    public const string ChallengeCanceled = "challenge.canceled";
    public const string AuditExported = "admin.audit_exported";
    public const string AuditCheckpointWritten = "audit.checkpoint_written";
    public const string AuditRetentionApplied = "audit.retention_applied";
    public const string AuditSubjectsPseudonymised = "audit.subjects_pseudonymised";
    public const string DataRetentionApplied = "data.retention_applied";
    public const string UserLocked = "admin.user_locked";
    public const string AccountDeleted = "account.deleted";
    public const string KeyRotationRequested = "admin.key_rotation_requested";
    public const string KeysRotated = "keys.rotated";
    public const string AccountDataExported = "account.data_exported";
    public const string UserUnlocked = "admin.user_unlocked";
    public const string SecondFactorsReset = "admin.second_factors_reset";
    public const string SessionsRevoked = "admin.sessions_revoked";
    public const string DeliveryRetried = "admin.delivery_retried";
    public const string QrSignInCreated = "crossdevice.qr_created";
    public const string QrSignInScanned = "crossdevice.qr_scanned";
    public const string QrSignInApproved = "crossdevice.qr_approved";
    public const string QrSignInDenied = "crossdevice.qr_denied";
    public const string QrSignInNotMe = "crossdevice.qr_not_me_alert";
    public const string QrSignInExpired = "crossdevice.qr_expired";
    public const string QrSignInRedeemed = "crossdevice.qr_redeemed";
    public const string PushRequested = "crossdevice.push_requested";
    public const string PushApproved = "crossdevice.push_approved";
    public const string PushDenied = "crossdevice.push_denied";
    public const string PushNotMe = "crossdevice.push_not_me_alert";
    public const string PushExpired = "crossdevice.push_expired";
    public const string PushRedeemed = "crossdevice.push_redeemed";
    public const string ApiClientCreated = "admin.api_client_created";
    public const string ApiClientRevoked = "admin.api_client_revoked";
    public const string SecurityNoticeSent = "account.security_notice_sent";
    public const string AccountEmailRefused = "account.email_refused";
    public const string NotMe = "account.not_me";
    public const string PasswordChanged = "account.password_changed";
    public const string EmailChangeRequested = "account.email_change_requested";
    public const string EmailChanged = "account.email_changed";
    public const string RiskAllowed = "risk.allowed";
    public const string RiskStepUp = "risk.step_up";
    public const string RiskDenied = "risk.denied";
    public const string DeviceTrusted = "device.trusted";
    public const string DeviceRenamed = "device.renamed";
    public const string DeviceForgotten = "device.forgotten";

    /// <summary>Every type above, for pickers; the log may also hold types that a later version no longer writes.</summary>
    public static IReadOnlyList<string> All { get; } = typeof(AuditEventTypes)
        .GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)
        .Where(f => f.IsLiteral)
        .Select(f => (string)f.GetRawConstantValue()!)
        .Order(StringComparer.Ordinal)
        .ToArray();
}
