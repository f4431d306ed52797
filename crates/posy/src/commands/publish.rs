//! `posy publish`: upload wheels and sdists (see `posy_ops::publish`).

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result};
use posy_ops::{PublishCredentials, PublishRequest};
use url::Url;

use crate::cli::{GlobalArgs, PublishArgs};
use crate::settings;

pub fn run(args: &PublishArgs, global: &GlobalArgs) -> Result<ExitCode> {
    let url = match (&args.index, &args.publish_url) {
        (Some(name), _) => posy_ops::configured_publish_url(Path::new("pyproject.toml"), name)?,
        (None, Some(url)) => {
            Url::parse(url).with_context(|| format!("invalid --publish-url `{url}`"))?
        }
        (None, None) => Url::parse(posy_ops::PYPI_UPLOAD).context("the default upload URL")?,
    };
    let request = PublishRequest {
        files: args.files.clone(),
        url,
        credentials: PublishCredentials {
            token: args.token.clone(),
            username: args.username.clone(),
            password: args.password.clone(),
        },
        check_url: args.check_url.clone(),
    };
    let session = settings::session(global)?;
    posy_ops::publish(&session, &request)?;
    session.close()?;
    Ok(ExitCode::SUCCESS)
}
