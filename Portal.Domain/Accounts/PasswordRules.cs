using Microsoft.AspNetCore.Identity;

namespace Tessera.Domain.Accounts;

/// <summary>How strong a password is, for the strength meter: zxcvbn's score (0 to 4) and its advice.</summary>
public sealed record PasswordStrength(int Score, string? Warning)
{
    /// <summary>The lowest score accepted: at least 10^8 guesses in zxcvbn's estimate.</summary>
    public const int Required = 3;

    public bool Acceptable => Score >= Required;

    public string Label => Score switch
    {
        0 => "Very weak",
        1 => "Weak",
        2 => "Fair",
        3 => "Strong",
        _ => "Very strong",
    };
}

/// <summary>
/// Tessera's password rules beyond Identity's length check (NIST SP 800-63B 3.1.1.2): no password that a guessing
/// attack tries early, and none equal to the account's email address or its local part. "Tries early" is, first, the
/// shipped blocklist of the 110,000 most common breached passwords (<see cref="CommonPasswords"/>), then zxcvbn's
/// estimate: its ranked lists of common and breached passwords, English words, names and film and TV words (about
/// 94,000 entries) with their l33t, reversed and capitalised forms, keyboard patterns, repeats, sequences and dates,
/// so "password1234", "qwertyuiop12" and "aaaaaaaaaa" are all refused.
/// </summary>
public sealed class PasswordRules(string productName) : IPasswordValidator<ApplicationUser>
{
    public const string TooGuessable = "PasswordTooGuessable";
    public const string IsEmail = "PasswordIsEmail";

    public Task<IdentityResult> ValidateAsync(UserManager<ApplicationUser> manager, ApplicationUser user, string? password) =>
        Task.FromResult(Validate(user.Email ?? user.UserName, password));

    public IdentityResult Validate(string? email, string? password)
    {
        if (string.IsNullOrEmpty(password))
        {
            // Identity's own validator says a password is required.
            return IdentityResult.Success;
        }
        var candidate = password.Trim();
        if (email is { Length: > 0 } && (candidate.Equals(email.Trim(), StringComparison.OrdinalIgnoreCase)
            || LocalPart(email) is { Length: > 0 } local && candidate.Equals(local, StringComparison.OrdinalIgnoreCase)))
        {
            return IdentityResult.Failed(new IdentityError { Code = IsEmail, Description = "Choose a password that is not your email address." });
        }
        if (CommonPasswords.Contains(candidate))
        {
            return IdentityResult.Failed(new IdentityError
            {
                Code = TooGuessable,
                Description = "This password is too easy to guess: it is on a list of the most common passwords found in breaches. Try three or four unrelated words.",
            });
        }
        var strength = Measure(password, email);
        if (!strength.Acceptable)
        {
            var why = strength.Warning is { Length: > 0 } warning ? $" {warning.TrimEnd('.')}." : "";
            return IdentityResult.Failed(new IdentityError
            {
                Code = TooGuessable,
                Description = $"This password is too easy to guess: it is common, or close to a common one.{why} Try three or four unrelated words.",
            });
        }
        return IdentityResult.Success;
    }

    /// <summary>zxcvbn's estimate, with the account's address and the product's name counted as guessable words.</summary>
    public PasswordStrength Measure(string? password, string? email = null)
    {
        if (string.IsNullOrEmpty(password))
        {
            return new PasswordStrength(0, null);
        }
        List<string> context = [productName, "tessera"];
        if (email is { Length: > 0 })
        {
            context.Add(email);
            context.AddRange(LocalPart(email).Split(['.', '_', '-', '+'], StringSplitOptions.RemoveEmptyEntries));
        }
        // zxcvbn's cost grows with the length; past 100 characters nothing is guessable anyway.
        var result = Zxcvbn.Zxcvbn.MatchPassword(password.Length > 100 ? password[..100] : password, context);
        var patterns = result.MatchSequence.Select(m => m.Pattern).ToHashSet(StringComparer.Ordinal);
        var warning = patterns switch
        {
            _ when patterns.Contains("dictionary") => "It is a common password or word, or built from one",
            _ when patterns.Contains("spatial") => "Rows of keys like \"qwerty\" are easy to guess",
            _ when patterns.Contains("repeat") => "Repeats like \"aaa\" are easy to guess",
            _ when patterns.Contains("sequence") => "Sequences like \"abc\" or \"6543\" are easy to guess",
            _ when patterns.Contains("date") || patterns.Contains("year") => "Dates and years are easy to guess",
            _ => null,
        };
        return new PasswordStrength(result.Score, warning);
    }

    private static string LocalPart(string email) => email.IndexOf('@') is var at and > 0 ? email[..at].Trim() : "";
}
