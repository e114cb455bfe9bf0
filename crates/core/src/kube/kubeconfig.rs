//! The user's kubeconfig in, a private single-context kubeconfig out.
//!
//! Cells run with `KUBECONFIG` pointing at the private file, so a `kubectl` in a lesson can only
//! reach the context the user confirmed, in the lesson's namespace. Reading goes through
//! `kube::config::Kubeconfig::read_from`, which also makes relative certificate and token paths
//! absolute, so the copy works from any directory.

use std::io::Write;
use std::path::{Path, PathBuf};

use kube::config::{Context, Kubeconfig, NamedContext};

use super::safety::SafetyError;

/// The files a user's kubeconfig is read from: every entry of `KUBECONFIG`, else
/// `~/.kube/config`. Missing files are skipped later, as kubectl does.
pub fn user_kubeconfig_paths() -> Vec<PathBuf> {
    paths_from(std::env::var_os("KUBECONFIG"), home_dir())
}

fn home_dir() -> Option<PathBuf> {
    directories::BaseDirs::new().map(|d| d.home_dir().to_path_buf())
}

fn paths_from(env: Option<std::ffi::OsString>, home: Option<PathBuf>) -> Vec<PathBuf> {
    if let Some(value) = env {
        let paths: Vec<PathBuf> = std::env::split_paths(&value)
            .filter(|p| !p.as_os_str().is_empty())
            .collect();
        if !paths.is_empty() {
            return paths;
        }
    }
    home.map(|h| vec![h.join(".kube").join("config")])
        .unwrap_or_default()
}

/// Reads and merges the existing files among `paths` (first file wins, as in kubectl).
pub fn read_merged(paths: &[PathBuf]) -> Result<Kubeconfig, SafetyError> {
    let existing: Vec<&PathBuf> = paths.iter().filter(|p| p.is_file()).collect();
    if existing.is_empty() {
        return Err(SafetyError::NoKubeconfig {
            searched: paths.to_vec(),
        });
    }
    let mut merged = Kubeconfig::default();
    for path in existing {
        let next = Kubeconfig::read_from(path).map_err(|source| SafetyError::ReadKubeconfig {
            path: path.clone(),
            source,
        })?;
        merged = merged
            .merge(next)
            .map_err(|source| SafetyError::ReadKubeconfig {
                path: path.clone(),
                source,
            })?;
    }
    Ok(merged)
}

/// The names of every context, for "did you mean" style messages.
pub fn context_names(config: &Kubeconfig) -> Vec<String> {
    config.contexts.iter().map(|c| c.name.clone()).collect()
}

/// The context named `name` and the server URL of its cluster.
pub fn find_context<'a>(
    config: &'a Kubeconfig,
    name: &str,
) -> Result<(&'a Context, String), SafetyError> {
    let context = config
        .contexts
        .iter()
        .find(|c| c.name == name)
        .and_then(|c| c.context.as_ref())
        .ok_or_else(|| SafetyError::ContextMissing {
            context: name.to_string(),
            available: context_names(config),
        })?;
    let server = config
        .clusters
        .iter()
        .find(|c| c.name == context.cluster)
        .and_then(|c| c.cluster.as_ref())
        .and_then(|c| c.server.clone())
        .ok_or_else(|| SafetyError::ClusterMissing {
            context: name.to_string(),
            cluster: context.cluster.clone(),
        })?;
    Ok((context, server))
}

/// A kubeconfig holding only `context` (with its cluster and user), namespace set to
/// `namespace`.
pub fn private_config(
    user: &Kubeconfig,
    context: &str,
    namespace: &str,
) -> Result<Kubeconfig, SafetyError> {
    let (found, _server) = find_context(user, context)?;
    let mut ctx = found.clone();
    ctx.namespace = Some(namespace.to_string());
    let clusters = user
        .clusters
        .iter()
        .filter(|c| c.name == ctx.cluster)
        .cloned()
        .collect();
    let auth_infos = match &ctx.user {
        Some(u) => user
            .auth_infos
            .iter()
            .filter(|a| &a.name == u)
            .cloned()
            .collect(),
        None => Vec::new(),
    };
    Ok(Kubeconfig {
        clusters,
        auth_infos,
        contexts: vec![NamedContext {
            name: context.to_string(),
            context: Some(ctx),
            ..Default::default()
        }],
        current_context: Some(context.to_string()),
        kind: Some("Config".to_string()),
        api_version: Some("v1".to_string()),
        ..Default::default()
    })
}

/// Replaces `path` (in `dir`) with `bytes` in one rename, mode 0600 (it may hold tokens): a
/// reader never sees half a file.
pub(crate) fn write_atomic(dir: &Path, path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    // tempfile creates the file with mode 0600 and a unique name.
    let mut file = tempfile::Builder::new()
        .prefix(".kubeconfig-")
        .tempfile_in(dir)?;
    file.write_all(bytes)?;
    file.persist(path).map_err(|e| e.error)?;
    Ok(())
}

pub(crate) fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}

/// Where private kubeconfigs go: the runtime dir (tmpfs, cleared at logout) when there is
/// one, else the state dir, else a per-user folder in the temp dir.
pub fn default_private_dir() -> PathBuf {
    let base = directories::BaseDirs::new();
    if let Some(dir) = base.as_ref().and_then(|d| d.runtime_dir()) {
        return dir.join("kubetutor");
    }
    if let Some(dir) = base.as_ref().and_then(|d| d.state_dir()) {
        return dir.join("kubetutor").join("kubeconfigs");
    }
    let user = std::env::var("USER").unwrap_or_else(|_| "user".into());
    std::env::temp_dir().join(format!("kubetutor-{user}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kubeconfig_env_wins_over_home_and_skips_empty_entries() {
        let env = std::ffi::OsString::from("/a/one::/b/two");
        let got = paths_from(Some(env), Some(PathBuf::from("/home/u")));
        assert_eq!(got, vec![PathBuf::from("/a/one"), PathBuf::from("/b/two")]);
        let got = paths_from(Some("".into()), Some(PathBuf::from("/home/u")));
        assert_eq!(got, vec![PathBuf::from("/home/u/.kube/config")]);
        assert!(paths_from(None, None).is_empty());
    }
}
