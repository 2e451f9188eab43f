namespace Pulse.Ingest;

/// <summary>
/// Strict RFC 3339 date-times (<c>2024-05-01T12:30:00.123+02:00</c>) to epoch milliseconds,
/// straight from UTF-8. The BCL parsers are lenient about formats and need chars; this needs neither.
/// Fractions beyond milliseconds are truncated; a leap second (:60) is rejected.
/// </summary>
internal static class Rfc3339
{
    public static bool TryParse(ReadOnlySpan<byte> text, out long epochMs)
    {
        epochMs = 0;
        if (text.Length < 20
            || !TryDigits(text, 0, 4, out int year) || text[4] != '-'
            || !TryDigits(text, 5, 2, out int month) || text[7] != '-'
            || !TryDigits(text, 8, 2, out int day)
            || (text[10] != 'T' && text[10] != 't' && text[10] != ' ')
            || !TryDigits(text, 11, 2, out int hour) || text[13] != ':'
            || !TryDigits(text, 14, 2, out int minute) || text[16] != ':'
            || !TryDigits(text, 17, 2, out int second))
        {
            return false;
        }

        if (month is < 1 or > 12 || day < 1 || day > DaysInMonth(year, month) || hour > 23 || minute > 59 || second > 59)
        {
            return false;
        }

        int pos = 19;
        int millis = 0;
        if (text[pos] == '.')
        {
            pos++;
            int start = pos;
            while (pos < text.Length && IsDigit(text[pos]))
            {
                if (pos - start < 3)
                {
                    millis = (millis * 10) + (text[pos] - '0');
                }

                pos++;
            }

            int digits = pos - start;
            if (digits == 0)
            {
                return false;
            }

            for (int i = digits; i < 3; i++)
            {
                millis *= 10;
            }
        }

        if (pos >= text.Length)
        {
            return false;
        }

        int offsetMinutes;
        if ((text[pos] == 'Z' || text[pos] == 'z') && pos + 1 == text.Length)
        {
            offsetMinutes = 0;
        }
        else if ((text[pos] == '+' || text[pos] == '-') && pos + 6 == text.Length
            && TryDigits(text, pos + 1, 2, out int offsetHours) && text[pos + 3] == ':'
            && TryDigits(text, pos + 4, 2, out int offsetMins) && offsetHours <= 23 && offsetMins <= 59)
        {
            offsetMinutes = (offsetHours * 60) + offsetMins;
            if (text[pos] == '-')
            {
                offsetMinutes = -offsetMinutes;
            }
        }
        else
        {
            return false;
        }

        long days = DaysFromCivil(year, month, day);
        long seconds = (days * 86_400) + (hour * 3600) + (minute * 60) + second - (offsetMinutes * 60L);
        epochMs = (seconds * 1000) + millis;
        return true;
    }

    private static bool IsDigit(byte b) => (uint)(b - '0') <= 9;

    private static bool TryDigits(ReadOnlySpan<byte> text, int start, int count, out int value)
    {
        value = 0;
        for (int i = start; i < start + count; i++)
        {
            if (!IsDigit(text[i]))
            {
                return false;
            }

            value = (value * 10) + (text[i] - '0');
        }

        return true;
    }

    private static int DaysInMonth(int year, int month) => month switch
    {
        2 => (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28,
        4 or 6 or 9 or 11 => 30,
        _ => 31,
    };

    /// <summary>Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).</summary>
    private static long DaysFromCivil(int year, int month, int day)
    {
        long y = month <= 2 ? year - 1 : year;
        long era = (y >= 0 ? y : y - 399) / 400;
        long yearOfEra = y - (era * 400);
        long dayOfYear = ((153 * (month > 2 ? month - 3 : month + 9)) + 2) / 5 + day - 1;
        long dayOfEra = (yearOfEra * 365) + (yearOfEra / 4) - (yearOfEra / 100) + dayOfYear;
        return (era * 146_097) + dayOfEra - 719_468;
    }
}
