//! Getting wheels ready to link: from the index (or the store) to unpacked trees.
//!
//! A wheel whose sha256 the index page (or a lock file) already names, and
//! whose unpacked tree is in the store, costs one `stat`: no download, no
//! unzip. Otherwise it is downloaded into memory (verified while
//! streaming, by the index client; the zip itself is not kept, as uv does
//! not keep it either) and unpacked from there into the store on a
//! blocking thread, while other downloads continue, so downloads and
//! unzips overlap.
//!
//! Unzipping is CPU work (inflate, sha256, copying into the page cache), so
//! only a few unpacks run at a time ([`unpack_slots`], two per core): more
//! would only add threads and buffers without finishing any sooner.
//! Callers may start as many preparations as they like; downloads are not
//! held back by this bound.

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use posy_index::{IndexClient, IndexFile};
use posy_store::{Key, ProduceError, Store};
use sha2::{Digest, Sha256};
use tokio::sync::Semaphore;

use crate::error::{InstallError, IoContext};
use crate::scratch::wheel_buffer;
use crate::unpack::{UnpackedWheel, unpack_wheel_as, unpack_wheel_bytes};

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

/// Wheels up to this size (by the index's PEP 700 `size`) are downloaded
/// into memory and unpacked from there; bigger ones go through a file.
const IN_MEMORY_LIMIT: u64 = 64 << 20;

/// Unpacks a wheel file into the store, downloading it first unless the
/// store already holds its unpacked tree (found by the sha256 the index gives).
/// Callers run many of these at once (see the module docs).
pub async fn prepare_wheel(
    client: &IndexClient,
    store: &Store,
    file: IndexFile,
) -> Result<UnpackedWheel, PrepareError> {
    if let Some(hash) = file.sha256()
        && let Ok(key) = Key::from_sha256_hex(&hash.hex())
        && let Some(dir) = store.unpacked().get(&key)
    {
        let (checked_store, checked_key) = (store.clone(), key.clone());
        let trusted =
            tokio::task::spawn_blocking(move || trusted_tree(&checked_store, &checked_key, dir))
                .await
                .map_err(|_| PrepareError::Join(file.filename.clone()))??;
        if let Some(wheel) = trusted {
            return Ok(wheel);
        }
    }
    // Big wheels (and wheels of unknown size) stream into the store's
    // artifacts and unpack from there: many downloads run at once, and a
    // set with a few GPU wheels must not hold gigabytes in memory.
    if file.size.is_none_or(|size| size > IN_MEMORY_LIMIT) {
        let artifact = client.download(&file).await?;
        let filename = file.filename.clone();
        let key =
            Key::from_sha256_hex(&artifact.sha256).map_err(|e| InstallError::InvalidWheel {
                wheel: filename.clone(),
                reason: format!("its hash is unusable as a store key ({e})"),
            })?;
        return unpack_blocking(store, filename, move |store, filename| {
            unpack_into_store(store, &key, |dest| {
                unpack_wheel_as(&artifact.path, filename, dest)
            })
        })
        .await;
    }
    let mut bytes = wheel_buffer();
    let sha256 = client.download_to_memory(&file, &mut bytes).await?;
    let filename = file.filename.clone();
    let key = Key::from_sha256_hex(&sha256).map_err(|e| InstallError::InvalidWheel {
        wheel: filename.clone(),
        reason: format!("its hash is unusable as a store key ({e})"),
    })?;
    unpack_blocking(store, filename, move |store, filename| {
        unpack_into_store(store, &key, |dest| {
            unpack_wheel_bytes(&bytes, filename, dest)
        })
    })
    .await
}

/// Unpacks a wheel that is already on disk (built locally, or given by
/// path) into the store, keyed by its sha256; `filename` is the name the
/// user knows it by.
pub async fn prepare_local_wheel(
    store: &Store,
    wheel: PathBuf,
    filename: String,
) -> Result<UnpackedWheel, PrepareError> {
    unpack_blocking(store, filename, move |store, filename| {
        let key = Key::from_sha256(sha256_file(&wheel)?);
        unpack_into_store(store, &key, |dest| unpack_wheel_as(&wheel, filename, dest))
    })
    .await
}

/// Runs `unpack` on a blocking thread once an unpack slot is free.
async fn unpack_blocking(
    store: &Store,
    filename: String,
    unpack: impl FnOnce(&Store, &str) -> Result<UnpackedWheel, InstallError> + Send + 'static,
) -> Result<UnpackedWheel, PrepareError> {
    let _slot = unpack_slots()
        .acquire()
        .await
        .map_err(|_| PrepareError::Join(filename.clone()))?;
    let store = Arc::new(store.clone());
    let name = filename.clone();
    tokio::task::spawn_blocking(move || unpack(&store, &name))
        .await
        .map_err(|_| PrepareError::Join(filename))?
        .map_err(PrepareError::from)
}

/// How many wheels may be unpacking at once in this process: two per
/// core, so a thread waiting on the filesystem (a page fault, an inode
/// allocation) leaves its core to another.
fn unpack_slots() -> &'static Semaphore {
    static SLOTS: OnceLock<Semaphore> = OnceLock::new();
    SLOTS.get_or_init(|| {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Semaphore::new((cores * 2).clamp(4, 32))
    })
}

/// The store's unpacked tree for `key`, made by `unpack` if missing.
fn unpack_into_store(
    store: &Store,
    key: &Key,
    unpack: impl FnOnce(&Path) -> Result<(), InstallError>,
) -> Result<UnpackedWheel, InstallError> {
    if let Some(dir) = store.unpacked().get(key)
        && let Some(wheel) = trusted_tree(store, key, dir)?
    {
        return Ok(wheel);
    }
    let dir = store
        .unpacked()
        .get_or_set(key, unpack)
        .map_err(|e| match e {
            ProduceError::Producer(e) => e,
            ProduceError::Store(e) => InstallError::Store(e),
        })?;
    UnpackedWheel::open(&dir)
}

/// The unpacked tree at `dir` (the entry `key`) if every file its RECORD
/// lists is there at its size (`verify_unpacked`); a damaged tree is
/// removed, with a warning, and `None` says to unpack it again. A tree
/// just unpacked is not checked again: unpacking checked every file.
fn trusted_tree(
    store: &Store,
    key: &Key,
    dir: PathBuf,
) -> Result<Option<UnpackedWheel>, InstallError> {
    let wheel = UnpackedWheel::open(&dir)?;
    match crate::verify::verify_tree(&wheel) {
        Ok(()) | Err(InstallError::Io { .. }) => Ok(Some(wheel)),
        Err(damage) => {
            tracing::warn!(
                "the unpacked wheel at {} is damaged ({damage}); unpacking it again",
                dir.display()
            );
            store.unpacked().remove(key)?;
            Ok(None)
        }
    }
}

/// The sha256 of a file, read in pieces.
pub fn sha256_file(path: &Path) -> Result<[u8; 32], InstallError> {
    let mut file = File::open(path).ctx("open", path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0; 64 * 1024];
    loop {
        let n = file.read(&mut buf).ctx("read", path)?;
        if n == 0 {
            return Ok(hasher.finalize().into());
        }
        hasher.update(&buf[..n]);
    }
}
