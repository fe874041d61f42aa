using PhoneNumbers;

namespace Tessera.Domain.Contacts;

/// <summary>A phone number that libphonenumber accepted as valid, normalised to E.164.</summary>
/// <param name="RegionCode">ISO 3166-1 alpha-2 region of the number (for country rules), for example "GB".</param>
public sealed record ParsedPhone(string E164, string RegionCode, int CountryCode, string Masked);

/// <summary>Parses, validates and masks phone numbers with libphonenumber (Google's metadata), never by regex.</summary>
public static class PhoneNumberParser
{
    private static readonly PhoneNumberUtil Util = PhoneNumberUtil.GetInstance();

    /// <summary>
    /// Ranges reserved for drama and documentation (Ofcom's UK drama numbers, North America's 555-01XX), which
    /// libphonenumber calls invalid because they are never allocated. Accepted so that examples and test traffic
    /// (such as +44 1632 960123) work; a text sent to them reaches nobody.
    /// </summary>
    private static readonly System.Text.RegularExpressions.Regex FictionalRanges = new(
        @"^\+44(1632960\d{3}|7700900\d{3}|207946\d{4}|(113|114|115|116|117|118|121|131|141|151|161)4960\d{3}|1914980\d{3}|8081570\d{3}|3069990\d{3})$|^\+1[2-9]\d{2}55501\d{2}$",
        System.Text.RegularExpressions.RegexOptions.CultureInvariant);

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
        var e164 = Util.Format(number, PhoneNumberFormat.E164);
        var fictional = FictionalRanges.IsMatch(e164);
        if (!Util.IsValidNumber(number) && !fictional)
        {
            error = "That phone number is not valid. Check the digits and the country code.";
            return false;
        }
        // A number reserved for drama and documentation has no region of its own in libphonenumber: use its country's.
        var region = Util.GetRegionCodeForNumber(number) is { Length: 2 } r ? r : Util.GetRegionCodeForCountryCode(number.CountryCode);
        phone = new ParsedPhone(e164, region, number.CountryCode, Mask(number));
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
