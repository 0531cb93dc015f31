//! Where call recordings are kept: the interface, and the directory that implements it
//! (the data directory, or one every node of a cluster mounts).

use std::path::{Path, PathBuf};

use anyhow::Context;

/// Where recordings are kept, by key (`recording::relative_path`).
pub trait RecordingStore: Send + Sync {
    fn put(&self, key: &Path, wav: &[u8]) -> anyhow::Result<()>;
    /// The recording, `None` when there is none under the key.
    fn get(&self, key: &Path) -> anyhow::Result<Option<Vec<u8>>>;
}

/// Recordings as files under a directory.
pub struct DirectoryRecordings {
    root: PathBuf,
}

impl DirectoryRecordings {
    pub fn new(root: &Path) -> DirectoryRecordings {
        DirectoryRecordings { root: root.to_path_buf() }
    }
}

impl RecordingStore for DirectoryRecordings {
    fn put(&self, key: &Path, wav: &[u8]) -> anyhow::Result<()> {
        let path = self.root.join(key);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
        // Written whole, then renamed: a node serving it never reads half a file.
        let partial = path.with_extension("wav.partial");
        std::fs::write(&partial, wav).with_context(|| format!("writing {}", partial.display()))?;
        std::fs::rename(&partial, &path).with_context(|| format!("renaming to {}", path.display()))
    }

    fn get(&self, key: &Path) -> anyhow::Result<Option<Vec<u8>>> {
        match std::fs::read(self.root.join(key)) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e).with_context(|| format!("reading the recording {}", key.display())),
        }
    }
}

