//! The flow host: runs tenants' flows (WebAssembly components) in a sandbox.
//!
//! - one [`wasmtime::Engine`] with the pooling allocator and epoch interruption;
//! - uploads are validated against the `flow` world, compiled once, cached on
//!   disk (precompiled) and in memory (an `InstancePre` per version);
//! - a `Store` per call ([`instance::FlowInstance`]) with the tenant's memory cap
//!   and per-event deadline;
//! - activation swaps the tenant's active version atomically: new calls take the
//!   new version, calls in progress keep the one they started with.

pub mod actions;
pub mod bindings;
mod capabilities;
pub mod context;
pub mod instance;
mod sandbox;
pub mod understanding;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};

use sha2::{Digest, Sha256};
use wasmtime::Engine;
use wasmtime::component::{Component, HasSelf, Linker};

use self::bindings::FlowPre;
use self::context::CallContext;
use switchboard_domain::flows::FlowVersion;
use switchboard_store::{Db, StorageError};

/// Largest component accepted for upload.
pub const MAX_FLOW_BYTES: usize = 20 * 1024 * 1024;

/// Why an upload or an activation was refused.
#[derive(Debug, thiserror::Error)]
pub enum FlowError {
    #[error("invalid flow: {0}")]
    Invalid(String),
    #[error("no such flow version")]
    NotFound,
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error("flow host error: {0}")]
    Internal(String),
}

/// A compiled, linked flow version, ready to instantiate for a call.
pub struct LoadedFlow {
    pub tenant_id: String,
    pub version: u32,
    pub(crate) pre: FlowPre<CallContext>,
}

pub struct FlowHost {
    engine: Engine,
    linker: Linker<CallContext>,
    db: Db,
    /// Precompiled artifacts, keyed by the component's SHA-256.
    cache_dir: PathBuf,
    loaded: Mutex<HashMap<(String, u32), Arc<LoadedFlow>>>,
    active: RwLock<HashMap<String, Arc<LoadedFlow>>>,
    /// Activations are serialised so storage and memory always agree on the active version.
    activation: tokio::sync::Mutex<()>,
    /// The version this node is activating, per tenant, until memory has it: the store's notice
    /// of this very activation can arrive first, and is not another node's.
    activating: Mutex<HashMap<String, u32>>,
    /// Compiling is CPU-heavy: at most two at once, whatever the upload rate.
    compile_slots: tokio::sync::Semaphore,
}

impl FlowHost {
    pub fn new(db: Db, cache_dir: PathBuf, max_concurrent_calls: u32) -> anyhow::Result<FlowHost> {
        let engine = sandbox::engine(max_concurrent_calls)?;
        sandbox::start_epoch_ticker(&engine);
        let mut linker = Linker::new(&engine);
        wasmtime_wasi::p2::add_to_linker_async(&mut linker)?;
        bindings::Flow::add_to_linker::<CallContext, HasSelf<CallContext>>(&mut linker, |ctx| ctx)?;
        std::fs::create_dir_all(&cache_dir)?;
        Ok(FlowHost {
            engine,
            linker,
            db,
            cache_dir,
            loaded: Mutex::new(HashMap::new()),
            active: RwLock::new(HashMap::new()),
            activation: tokio::sync::Mutex::new(()),
            activating: Mutex::new(HashMap::new()),
            compile_slots: tokio::sync::Semaphore::new(2),
        })
    }

    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// Check that `bytes` is a component of the `flow` world and compile it.
    async fn compile(&self, bytes: Arc<Vec<u8>>) -> Result<(Component, String), FlowError> {
        if bytes.len() > MAX_FLOW_BYTES {
            return Err(FlowError::Invalid(format!("{} bytes is above the {MAX_FLOW_BYTES}-byte limit", bytes.len())));
        }
        match bytes.get(0..8) {
            Some([0, b'a', b's', b'm', 0x0d, 0x00, 0x01, 0x00]) => {}
            Some([0, b'a', b's', b'm', 1, 0, 0, 0]) => {
                return Err(FlowError::Invalid(
                    "this is a core WebAssembly module, not a component; build the flow for wasm32-wasip2".into(),
                ));
            }
            _ => return Err(FlowError::Invalid("not a WebAssembly component (bad header)".into())),
        }
        let sha = hex(&Sha256::digest(&bytes[..]));
        let cached = self.cache_dir.join(format!("{sha}.cwasm"));
        let _slot = self.compile_slots.acquire().await.map_err(|e| FlowError::Internal(e.to_string()))?;
        let engine = self.engine.clone();
        let component = tokio::task::spawn_blocking(move || -> Result<Component, FlowError> {
            if cached.exists() {
                // SAFETY: the file is in our own cache directory and was written by
                // `Component::serialize` below; wasmtime checks it matches this engine.
                match unsafe { Component::deserialize_file(&engine, &cached) } {
                    Ok(c) => return Ok(c),
                    Err(e) => tracing::warn!(error = %e, "stale precompiled flow, recompiling"),
                }
            }
            let component = Component::new(&engine, &bytes[..])
                .map_err(|e| FlowError::Invalid(format!("does not compile as a component: {e:#}")))?;
            if let Ok(artifact) = component.serialize() {
                let tmp = cached.with_extension("tmp");
                if std::fs::write(&tmp, artifact).and_then(|_| std::fs::rename(&tmp, &cached)).is_err() {
                    tracing::warn!("could not write the precompiled flow cache");
                }
            }
            Ok(component)
        })
        .await
        .map_err(|e| FlowError::Internal(e.to_string()))??;
        Ok((component, sha))
    }

    /// Link a compiled component against the `flow` world.
    fn link(&self, component: &Component) -> Result<FlowPre<CallContext>, FlowError> {
        let pre = self
            .linker
            .instantiate_pre(component)
            .map_err(|e| FlowError::Invalid(format!("imports something Switchboard does not provide: {e:#}")))?;
        FlowPre::new(pre).map_err(|e| {
            FlowError::Invalid(format!("does not export `switchboard:flow/handler@0.1.x` as the WIT defines it: {e:#}"))
        })
    }

    /// Validate an upload and store it as the tenant's next version (not yet active).
    pub async fn upload(&self, tenant: &str, bytes: Vec<u8>) -> Result<FlowVersion, FlowError> {
        let bytes = Arc::new(bytes);
        let (component, sha) = self.compile(bytes.clone()).await?;
        let pre = self.link(&component)?;
        let tenant_owned = tenant.to_string();
        let meta = self.db.store_flow(&tenant_owned, &bytes, sha).await?;
        let loaded = Arc::new(LoadedFlow { tenant_id: tenant.to_string(), version: meta.version, pre });
        self.loaded_cache().insert((tenant.to_string(), meta.version), loaded);
        tracing::info!(tenant_id = tenant, version = meta.version, size = meta.size_bytes, "flow version stored");
        Ok(meta)
    }

    /// A stored version, compiled and linked (from memory, the disk cache, or the database),
    /// whether active or not (the console's chat panel and replays run any version).
    pub async fn load(&self, tenant: &str, version: u32) -> Result<Arc<LoadedFlow>, FlowError> {
        if let Some(l) = self.loaded_cache().get(&(tenant.to_string(), version)) {
            return Ok(l.clone());
        }
        let t = tenant.to_string();
        let bytes = self.db.flow_bytes(&t, version).await.map_err(|e| match e {
            StorageError::NotFound => FlowError::NotFound,
            e => FlowError::Storage(e),
        })?;
        let (component, _) = self.compile(Arc::new(bytes)).await?;
        let pre = self.link(&component)?;
        let loaded = Arc::new(LoadedFlow { tenant_id: tenant.to_string(), version, pre });
        self.loaded_cache().insert((tenant.to_string(), version), loaded.clone());
        Ok(loaded)
    }

    /// Make `version` the one new calls use. Calls in progress are not touched.
    pub async fn activate(&self, tenant: &str, version: u32) -> Result<(), FlowError> {
        let _serial = self.activation.lock().await;
        let loaded = self.load(tenant, version).await?;
        let t = tenant.to_string();
        self.activating_now().insert(t.clone(), version);
        let stored = self.db.set_active_flow(&t, version).await;
        if stored.is_ok() {
            self.active.write().unwrap_or_else(|p| p.into_inner()).insert(t.clone(), loaded);
        }
        self.activating_now().remove(&t);
        stored?;
        tracing::info!(tenant_id = tenant, version, "flow version activated");
        Ok(())
    }

    /// The version a new call of this tenant should run, if the tenant has one.
    pub async fn active(&self, tenant: &str) -> Result<Option<Arc<LoadedFlow>>, FlowError> {
        if let Some(l) = self.active.read().unwrap_or_else(|p| p.into_inner()).get(tenant) {
            return Ok(Some(l.clone()));
        }
        // First call since start-up: load what storage says is active.
        let _serial = self.activation.lock().await;
        if let Some(l) = self.active.read().unwrap_or_else(|p| p.into_inner()).get(tenant) {
            return Ok(Some(l.clone()));
        }
        let t = tenant.to_string();
        let Some(version) = self.db.tenant(&t).await?.active_flow else {
            return Ok(None);
        };
        let loaded = self.load(tenant, version).await?;
        self.active.write().unwrap_or_else(|p| p.into_inner()).insert(tenant.to_string(), loaded.clone());
        Ok(Some(loaded))
    }

    /// Another node activated `version` for `tenant` (heard through the store's
    /// [`switchboard_store::Changes`]): the next call reads what storage says is active,
    /// unless this node already runs that version. Calls in progress keep theirs.
    pub fn activated_elsewhere(&self, tenant: &str, version: u32) {
        if self.activating_now().get(tenant) == Some(&version) {
            return;
        }
        let mut active = self.active.write().unwrap_or_else(|p| p.into_inner());
        if active.get(tenant).is_some_and(|l| l.version != version) {
            active.remove(tenant);
            tracing::info!(tenant_id = tenant, version, "flow version activated on another node");
        }
    }

    /// Forget every tenant's active version (changes were missed): the next calls read
    /// what storage says.
    pub fn forget_active(&self) {
        self.active.write().unwrap_or_else(|p| p.into_inner()).clear();
    }

    /// Compile and link a component that is not stored (`switchboard chat --wasm`, benchmarks).
    pub async fn load_unstored(&self, tenant: &str, bytes: Vec<u8>) -> Result<Arc<LoadedFlow>, FlowError> {
        let (component, _) = self.compile(Arc::new(bytes)).await?;
        let pre = self.link(&component)?;
        Ok(Arc::new(LoadedFlow { tenant_id: tenant.to_string(), version: 0, pre }))
    }

    fn activating_now(&self) -> std::sync::MutexGuard<'_, HashMap<String, u32>> {
        self.activating.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn loaded_cache(&self) -> std::sync::MutexGuard<'_, HashMap<(String, u32), Arc<LoadedFlow>>> {
        self.loaded.lock().unwrap_or_else(|p| p.into_inner())
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
