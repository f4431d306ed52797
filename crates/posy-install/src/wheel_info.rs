//! The `.dist-info/WHEEL` file: format version and root purity.

use posy_vocab::Headers;

/// What the installer needs from `WHEEL`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WheelInfo {
    /// `Wheel-Version` as (major, minor).
    pub version: (u32, u32),
    /// `Root-Is-Purelib`: whether the root goes to purelib (else platlib).
    pub root_is_purelib: bool,
    /// The `Tag` lines.
    pub tags: Vec<String>,
}

impl WheelInfo {
    /// Parses `WHEEL`. Only major version 1 is understood; a newer major
    /// version is refused, as the wheel specification asks (a newer minor
    /// version is accepted).
    pub fn parse(text: &str) -> Result<Self, String> {
        let headers =
            Headers::parse(text).map_err(|e| format!("its WHEEL file is malformed: {e}"))?;
        let raw = headers
            .get("Wheel-Version")
            .ok_or("its WHEEL file has no Wheel-Version")?;
        let mut parts = raw.split('.').map(|p| p.trim().parse::<u32>());
        let version = match (parts.next(), parts.next(), parts.next()) {
            (Some(Ok(major)), Some(Ok(minor)), None) => (major, minor),
            _ => return Err(format!("its Wheel-Version `{raw}` is not `major.minor`")),
        };
        if version.0 != 1 {
            return Err(format!(
                "it uses Wheel-Version {raw}, which posy does not understand (only 1.x)"
            ));
        }
        let root_is_purelib = match headers
            .get("Root-Is-Purelib")
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("true") => true,
            Some("false") | None => false,
            Some(other) => {
                return Err(format!(
                    "its Root-Is-Purelib is `{other}`, not true or false"
                ));
            }
        };
        let tags = headers.get_all("Tag").map(String::from).collect();
        Ok(Self {
            version,
            root_is_purelib,
            tags,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_wheel_files() {
        let w = WheelInfo::parse("Wheel-Version: 1.0\nGenerator: bdist_wheel (0.41.2)\nRoot-Is-Purelib: true\nTag: py3-none-any\n").unwrap();
        assert_eq!(
            w,
            WheelInfo {
                version: (1, 0),
                root_is_purelib: true,
                tags: vec!["py3-none-any".into()]
            }
        );
        assert!(
            !WheelInfo::parse("Wheel-Version: 1.9\nRoot-Is-Purelib: false\n")
                .unwrap()
                .root_is_purelib
        );
    }

    #[test]
    fn refuses_unknown_versions() {
        assert!(
            WheelInfo::parse("Wheel-Version: 2.0\n")
                .unwrap_err()
                .contains("2.0")
        );
        assert!(WheelInfo::parse("Root-Is-Purelib: true\n").is_err());
        assert!(WheelInfo::parse("Wheel-Version: one\n").is_err());
        assert!(WheelInfo::parse("Wheel-Version: 1.0\nRoot-Is-Purelib: maybe\n").is_err());
    }
}
