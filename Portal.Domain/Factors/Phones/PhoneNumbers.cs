using PhoneNumbers;

namespace Tessera.Domain.Factors.Phones;

/// <summary>A phone number that libphonenumber accepted as valid, normalised to E.164.</summary>
/// <param name="RegionCode">ISO 3166-1 alpha-2 region of the number (for country rules), for example "GB".</param>
public sealed record ParsedPhone(string E164, string RegionCode, int CountryCode, string Masked);

/// <summary>Parses, validates and masks phone numbers with libphonenumber (Google's metadata), never by regex.</summary>
public static class PhoneNumberParser
{
    private static readonly PhoneNumberUtil Util = PhoneNumberUtil.GetInstance();

    /// <param name="defaultRegion">Region assumed for numbers typed without a leading "+", for example "GB".</param>
    /// <param name="error">A message fit to show the person who typed the number.</param>
    public static bool TryParse(string? input, string defaultRegion, out ParsedPhone? phone, out string? error)
    {
        phone = null;
        error = null;
        if (string.IsNullOrWhiteSpace(input))
        {
            error = "Enter a phone number.";
            return false;
        }
        if (input.Length > 32)
        {
            error = "That is too long to be a phone number.";
            return false;
        }
        PhoneNumber number;
        try
        {
            number = Util.Parse(input, defaultRegion.ToUpperInvariant());
        }
        catch (NumberParseException)
        {
            error = "That is not a phone number. Include the country code, for example +44 7700 900123.";
            return false;
        }
        if (!Util.IsValidNumber(number))
        {
            error = "That phone number is not valid. Check the digits and the country code.";
            return false;
        }
        var e164 = Util.Format(number, PhoneNumberFormat.E164);
        phone = new ParsedPhone(e164, Util.GetRegionCodeForNumber(number) ?? "ZZ", number.CountryCode, Mask(number));
        return true;
    }

    /// <summary>"+44 •••• ••• 123": the country code and the last three digits, enough to recognise one's own number.</summary>
    public static string Mask(string e164)
    {
        try
        {
            return Mask(Util.Parse(e164, "ZZ"));
        }
        catch (NumberParseException)
        {
            return "•••";
        }
    }

    private static string Mask(PhoneNumber number)
    {
        var national = Util.GetNationalSignificantNumber(number);
        var shown = national.Length > 3 ? national[^3..] : "";
        var hidden = national.Length - shown.Length;
        var head = Math.Min(4, hidden);
        var bullets = new string('•', head) + (hidden > head ? " " + new string('•', hidden - head) : "");
        return $"+{number.CountryCode} {bullets} {shown}".Replace("  ", " ").Trim();
    }
}
