//! `--config-settings KEY=VALUE`: the free-form options PEP 517 passes to
//! every hook as `config_settings`.
//!
//! A key given once is passed as a string; a key given several times as a
//! list of strings, in the order given (what pip and `build` do, and what
//! setuptools' `--build-option` style keys expect). A package's own settings
//! (`--config-settings-package`) come first and the common ones after, a
//! key in both becoming a list, as uv merges them. The settings are part of
//! the built-wheel cache key, in a canonical form ([`ConfigSettings::to_json`]).

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

/// The `config_settings` dictionary passed to the backend's hooks.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct ConfigSettings(BTreeMap<String, Vec<String>>);

impl ConfigSettings {
    /// Adds one `key=value` setting; repeating a key makes its value a list.
    pub fn push(&mut self, key: impl Into<String>, value: impl Into<String>) {
        self.0.entry(key.into()).or_default().push(value.into());
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// These settings followed by `common`'s (a key in both gets both values, these first).
    pub fn followed_by(&self, common: &ConfigSettings) -> ConfigSettings {
        let mut merged = self.clone();
        for (key, values) in &common.0 {
            merged
                .0
                .entry(key.clone())
                .or_default()
                .extend(values.iter().cloned());
        }
        merged
    }

    /// The settings as the JSON object handed to the hooks (keys sorted,
    /// so equal settings give equal text).
    pub fn to_json(&self) -> serde_json::Value {
        let map = self
            .0
            .iter()
            .map(|(key, values)| {
                let value = match values.as_slice() {
                    [one] => serde_json::Value::String(one.clone()),
                    many => serde_json::Value::Array(
                        many.iter()
                            .cloned()
                            .map(serde_json::Value::String)
                            .collect(),
                    ),
                };
                (key.clone(), value)
            })
            .collect();
        serde_json::Value::Object(map)
    }
}

/// A `KEY=VALUE` that is not of that form.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "invalid config setting {0:?}: expected KEY=VALUE (e.g. `--config-settings editable_mode=compat`)"
)]
pub struct ConfigSettingError(String);

impl FromStr for ConfigSettings {
    type Err = ConfigSettingError;

    /// Parses one `KEY=VALUE` into a single-entry set (merge with [`Extend`]).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (key, value) = s
            .split_once('=')
            .filter(|(key, _)| !key.trim().is_empty())
            .ok_or_else(|| ConfigSettingError(s.to_string()))?;
        let mut settings = ConfigSettings::default();
        settings.push(key.trim(), value);
        Ok(settings)
    }
}

impl Extend<(String, String)> for ConfigSettings {
    fn extend<I: IntoIterator<Item = (String, String)>>(&mut self, iter: I) {
        for (key, value) in iter {
            self.push(key, value);
        }
    }
}

impl FromIterator<(String, String)> for ConfigSettings {
    fn from_iter<I: IntoIterator<Item = (String, String)>>(iter: I) -> Self {
        let mut settings = ConfigSettings::default();
        settings.extend(iter);
        settings
    }
}

impl fmt::Display for ConfigSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.to_json())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_and_repeated_keys() {
        let settings: ConfigSettings = [
            ("b".to_string(), "1".to_string()),
            ("a".to_string(), "x=y".to_string()),
            ("b".to_string(), "2".to_string()),
        ]
        .into_iter()
        .collect();
        assert_eq!(
            settings.to_json().to_string(),
            r#"{"a":"x=y","b":["1","2"]}"#
        );
    }

    #[test]
    fn package_settings_come_first() {
        let package: ConfigSettings = "a=pkg".parse().unwrap();
        let common: ConfigSettings = [
            ("a".to_string(), "common".to_string()),
            ("b".to_string(), "1".to_string()),
        ]
        .into_iter()
        .collect();
        assert_eq!(
            package.followed_by(&common).to_string(),
            r#"{"a":["pkg","common"],"b":"1"}"#
        );
    }

    #[test]
    fn parse() {
        let one: ConfigSettings = "editable_mode=compat".parse().unwrap();
        assert_eq!(one.to_string(), r#"{"editable_mode":"compat"}"#);
        let empty_value: ConfigSettings = "--quiet=".parse().unwrap();
        assert_eq!(empty_value.to_string(), r#"{"--quiet":""}"#);
        assert!("novalue".parse::<ConfigSettings>().is_err());
        assert!("=x".parse::<ConfigSettings>().is_err());
    }
}
