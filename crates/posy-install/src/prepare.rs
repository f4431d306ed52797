//! Getting wheels ready to link: from the index (or the store) to unpacked trees.
//!
//! A wheel whose sha256 the index page (or a lock file) already names, and
//! whose unpacked tree is in the store, costs one `stat`: no download, no
//! unzip. Otherwise it is downloaded (verified while streaming, by the
//! index client) and unpacked into the store on a blocking thread, while
//! other downloads continue: downloads and unzips overlap, bounded by
//! `concurrency`.

use std::sync::Arc;

use posy_index::{IndexClient, IndexFile};
use posy_store::{Key, ProduceError, Store};

use crate::error::InstallError;
use crate::unpack::{UnpackedWheel, unpack_wheel_as};

/// Why preparing a wheel failed.
#[derive(Debug, thiserror::Error)]
pub enum PrepareError {
    #[error(transparent)]
    Index(#[from] posy_index::IndexError),
    #[error(transparent)]
    Install(#[from] InstallError),
    #[error("the unpacking task for `{0}` stopped unexpectedly")]
    Join(String),
}

/// Unpacks a wheel file into the store, downloading it first unless the
/// store already holds its unpacked tree (found by the sha256 the index gives).
/// Callers run many of these at once (see the module docs).
pub async fn prepare_wheel(
    client: &IndexClient,
    store: &Store,
    file: IndexFile,
) -> Result<UnpackedWheel, PrepareError> {
    prepare_one(client, Arc::new(store.clone()), file).await
}

async fn prepare_one(
    client: &IndexClient,
    store: Arc<Store>,
    file: IndexFile,
) -> Result<UnpackedWheel, PrepareError> {
    if let Some(hash) = file.sha256()
        && let Ok(key) = Key::from_sha256_hex(&hash.hex())
        && let Some(dir) = store.unpacked().get(&key)
    {
        return Ok(UnpackedWheel::open(&dir)?);
    }
    let artifact = client.download(&file).await?;
    let filename = file.filename.clone();
    tokio::task::spawn_blocking(move || {
        let key =
            Key::from_sha256_hex(&artifact.sha256).map_err(|e| InstallError::InvalidWheel {
                wheel: filename.clone(),
                reason: format!("its hash is unusable as a store key ({e})"),
            })?;
        let dir = store
            .unpacked()
            .get_or_set(&key, |tmp| unpack_wheel_as(&artifact.path, &filename, tmp))
            .map_err(|e| match e {
                ProduceError::Producer(e) => e,
                ProduceError::Store(e) => InstallError::Store(e),
            })?;
        UnpackedWheel::open(&dir)
    })
    .await
    .map_err(|_| PrepareError::Join(file.filename.clone()))?
    .map_err(PrepareError::from)
}
