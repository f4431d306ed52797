//! HTTP dates (RFC 9110 §5.6.7): `Sun, 06 Nov 1994 08:49:37 GMT`.
//!
//! `Last-Modified` is written in this form (IMF-fixdate) and
//! `If-Modified-Since` is read in it. The two obsolete forms (RFC 850 and
//! asctime) are not read: RFC 9110 lets a server ignore a date it cannot
//! parse, which here means answering in full, so a client that sends one
//! still gets a correct (if uncached) answer.

const WEEKDAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// Formats seconds since the Unix epoch as an IMF-fixdate.
pub(crate) fn format(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let of_day = secs % 86_400;
    let (year, month, day) = civil_from_days(days);
    // 1970-01-01 was a Thursday.
    let weekday = WEEKDAYS[(days + 4).rem_euclid(7) as usize];
    format!(
        "{weekday}, {day:02} {} {year:04} {:02}:{:02}:{:02} GMT",
        MONTHS[month as usize - 1],
        of_day / 3600,
        of_day / 60 % 60,
        of_day % 60
    )
}

/// Parses an IMF-fixdate into seconds since the Unix epoch.
pub(crate) fn parse(text: &str) -> Option<u64> {
    let parts: Vec<&str> = text.split_ascii_whitespace().collect();
    let [weekday, day, month, year, time, "GMT"] = parts[..] else {
        return None;
    };
    let weekday = weekday.strip_suffix(',')?;
    if !WEEKDAYS.contains(&weekday) || day.len() != 2 || year.len() != 4 {
        return None;
    }
    let number = |s: &str| -> Option<u32> {
        s.bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| s.parse().ok())?
    };
    let day = number(day)?;
    let month = MONTHS.iter().position(|m| *m == month)? as u32 + 1;
    let year = number(year)?;
    let clock: Vec<&str> = time.split(':').collect();
    let [h, m, s] = clock[..] else { return None };
    if [h, m, s].iter().any(|part| part.len() != 2) {
        return None;
    }
    let (h, m, s) = (number(h)?, number(m)?, number(s)?);
    if year < 1970 || day == 0 || day > 31 || h > 23 || m > 59 || s > 60 {
        return None;
    }
    let days = days_from_civil(i64::from(year), month, day);
    Some(days as u64 * 86_400 + u64::from(h * 3600 + m * 60 + s))
}

/// The calendar date of a day count since 1970-01-01 (proleptic Gregorian).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// The day count since 1970-01-01 of a calendar date.
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let yoe = year.rem_euclid(400);
    let mp = i64::from(if month > 2 { month - 3 } else { month + 9 });
    let doy = (153 * mp + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_the_rfc_example() {
        assert_eq!(format(784_111_777), "Sun, 06 Nov 1994 08:49:37 GMT");
        assert_eq!(format(0), "Thu, 01 Jan 1970 00:00:00 GMT");
        assert_eq!(format(951_782_400), "Tue, 29 Feb 2000 00:00:00 GMT");
    }

    #[test]
    fn parses_what_it_formats() {
        for secs in [0, 784_111_777, 951_782_400, 1_704_067_200, 4_102_444_799] {
            assert_eq!(parse(&format(secs)), Some(secs), "{}", format(secs));
        }
    }

    #[test]
    fn rejects_other_forms() {
        assert_eq!(parse("Sunday, 06-Nov-94 08:49:37 GMT"), None);
        assert_eq!(parse("Sun Nov  6 08:49:37 1994"), None);
        assert_eq!(parse("Sun, 06 Nov 1994 08:49:37 UTC"), None);
        assert_eq!(parse("Sun, 6 Nov 1994 08:49:37 GMT"), None);
        assert_eq!(parse("Sun, 06 Nov 1994 8:49:37 GMT"), None);
        assert_eq!(parse("Sun, 06 Nov 1994 +8:49:37 GMT"), None);
        assert_eq!(parse(""), None);
    }
}
