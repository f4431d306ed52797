//! Sizes as people write them: `500M`, `2GiB`, `1.5 GB`, `1048576`.
//!
//! Units are case-insensitive. `KiB`/`MiB`/`GiB`/`TiB` and the bare letters
//! `K`/`M`/`G`/`T` are powers of 1024 (as `du` and `ulimit` read them);
//! `KB`/`MB`/`GB`/`TB` are powers of 1000; no unit or `B` means bytes. A
//! fraction is allowed and rounds down to whole bytes. Sizes print in binary
//! units with one decimal (`1.5 GiB`), bytes below 1 KiB (`512 B`).

use std::fmt;
use std::str::FromStr;

/// A number of bytes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ByteSize(pub u64);

/// A string that is not a size.
#[derive(Debug, thiserror::Error)]
#[error(
    "`{input}` is not a size: write a number of bytes with an optional unit, like `500M`, `2GiB` or `1048576`"
)]
pub struct ByteSizeError {
    input: String,
}

const KIB: u64 = 1 << 10;

fn unit_multiplier(unit: &str) -> Option<u64> {
    let m = match unit.to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kib" => KIB,
        "m" | "mib" => KIB.pow(2),
        "g" | "gib" => KIB.pow(3),
        "t" | "tib" => KIB.pow(4),
        "kb" => 1000,
        "mb" => 1000u64.pow(2),
        "gb" => 1000u64.pow(3),
        "tb" => 1000u64.pow(4),
        _ => return None,
    };
    Some(m)
}

impl FromStr for ByteSize {
    type Err = ByteSizeError;

    fn from_str(input: &str) -> Result<ByteSize, ByteSizeError> {
        let err = || ByteSizeError {
            input: input.to_owned(),
        };
        let text = input.trim();
        let split = text
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(text.len());
        let (number, unit) = text.split_at(split);
        let multiplier = u128::from(unit_multiplier(unit.trim()).ok_or_else(err)?);
        let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
        if whole.is_empty() && fraction.is_empty() || fraction.contains('.') || fraction.len() > 18
        {
            return Err(err());
        }
        let parse = |digits: &str| -> Result<u128, ByteSizeError> {
            if digits.is_empty() {
                Ok(0)
            } else {
                digits.parse::<u128>().map_err(|_| err())
            }
        };
        let scale = 10u128.pow(fraction.len() as u32);
        let fraction_bytes = parse(fraction)? * multiplier / scale;
        let bytes = parse(whole)?
            .checked_mul(multiplier)
            .and_then(|w| w.checked_add(fraction_bytes))
            .ok_or_else(err)?;
        u64::try_from(bytes).map(ByteSize).map_err(|_| err())
    }
}

impl fmt::Display for ByteSize {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const UNITS: [&str; 6] = ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
        if self.0 < KIB {
            return write!(f, "{} B", self.0);
        }
        let mut value = self.0 as f64 / KIB as f64;
        let mut unit = 0;
        while value >= 1024.0 && unit + 1 < UNITS.len() {
            value /= 1024.0;
            unit += 1;
        }
        write!(f, "{value:.1} {}", UNITS[unit])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> u64 {
        s.parse::<ByteSize>().unwrap_or_else(|e| panic!("{e}")).0
    }

    #[test]
    fn parses_people_sizes() {
        assert_eq!(parse("0"), 0);
        assert_eq!(parse("1048576"), 1 << 20);
        assert_eq!(parse("500M"), 500 << 20);
        assert_eq!(parse("500MB"), 500_000_000);
        assert_eq!(parse("2GiB"), 2 << 30);
        assert_eq!(parse("2gib"), 2 << 30);
        assert_eq!(parse(" 1.5 G "), 3 << 29);
        assert_eq!(parse("10B"), 10);
        assert_eq!(parse(".5K"), 512);
        assert_eq!(parse("1.0009K"), 1024);
        assert_eq!(parse("18446744073709551615"), u64::MAX);
    }

    #[test]
    fn rejects_non_sizes() {
        for bad in [
            "",
            "M",
            "-1",
            "1.2.3",
            "1 parsec",
            "10 KiBs",
            "99999999999T",
            "18446744073709551616",
            ".",
            "1e9",
        ] {
            let err = bad.parse::<ByteSize>().unwrap_err();
            assert!(err.to_string().contains("is not a size"), "{bad}: {err}");
        }
    }

    #[test]
    fn prints_binary_units() {
        assert_eq!(ByteSize(0).to_string(), "0 B");
        assert_eq!(ByteSize(1023).to_string(), "1023 B");
        assert_eq!(ByteSize(1024).to_string(), "1.0 KiB");
        assert_eq!(ByteSize(3 << 29).to_string(), "1.5 GiB");
        assert_eq!(ByteSize(10 << 30).to_string(), "10.0 GiB");
        assert_eq!(ByteSize(u64::MAX).to_string(), "16.0 EiB");
    }
}
