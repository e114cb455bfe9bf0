//! A learner's kubeconfig: the instructor's cluster entry (server, CA inlined so the file works
//! on any machine), a bound ServiceAccount token, the learner's namespace as default.

use std::path::{Path, PathBuf};

use base64::Engine as _;
use kube::config::{
    AuthInfo, Cluster, Context, Kubeconfig, NamedAuthInfo, NamedCluster, NamedContext,
};

use super::WorkshopError;

/// The cluster entry learners get, taken from the instructor's `context`.
pub fn learner_cluster(user: &Kubeconfig, context: &str) -> Result<Cluster, WorkshopError> {
    let err = |m: String| WorkshopError::Cluster(format!("no cluster entry for learners: {m}"));
    let ctx = user
        .contexts
        .iter()
        .find(|c| c.name == context)
        .and_then(|c| c.context.as_ref())
        .ok_or_else(|| err(format!("context \"{context}\" not found")))?;
    let mut cluster = user
        .clusters
        .iter()
        .find(|c| c.name == ctx.cluster)
        .and_then(|c| c.cluster.clone())
        .ok_or_else(|| err(format!("cluster \"{}\" not found", ctx.cluster)))?;
    if let Some(path) = cluster.certificate_authority.take() {
        let pem = std::fs::read(&path).map_err(|e| err(format!("cannot read {path}: {e}")))?;
        cluster.certificate_authority_data =
            Some(base64::engine::general_purpose::STANDARD.encode(pem));
    }
    Ok(cluster)
}

/// The kubeconfig of one learner, with a single context named after the workshop and learner.
pub fn learner_kubeconfig(
    cluster: &Cluster,
    workshop: &str,
    learner: &str,
    namespace: &str,
    token: &str,
) -> Kubeconfig {
    let name = format!("{workshop}-{learner}");
    // AuthInfo's token is a secrecy::SecretString; going through serde keeps that crate out
    // of our dependencies.
    let auth: AuthInfo = serde_json::from_value(serde_json::json!({ "token": token }))
        .expect("a token-only AuthInfo always deserializes");
    Kubeconfig {
        clusters: vec![NamedCluster {
            name: workshop.to_string(),
            cluster: Some(cluster.clone()),
            ..Default::default()
        }],
        auth_infos: vec![NamedAuthInfo {
            name: name.clone(),
            auth_info: Some(auth),
            ..Default::default()
        }],
        contexts: vec![NamedContext {
            name: name.clone(),
            context: Some(Context {
                cluster: workshop.to_string(),
                user: Some(name.clone()),
                namespace: Some(namespace.to_string()),
                ..Default::default()
            }),
            ..Default::default()
        }],
        current_context: Some(name),
        kind: Some("Config".into()),
        api_version: Some("v1".into()),
        ..Default::default()
    }
}

/// Writes `<learner>.kubeconfig` into `dir` (0700), mode 0600, in one rename.
pub fn write(dir: &Path, learner: &str, config: &Kubeconfig) -> Result<PathBuf, WorkshopError> {
    let path = dir.join(format!("{learner}.kubeconfig"));
    let werr = |source| WorkshopError::Write {
        path: path.clone(),
        source,
    };
    crate::kube::kubeconfig::create_private_dir(dir).map_err(werr)?;
    let yaml =
        serde_yaml::to_string(config).map_err(|e| werr(std::io::Error::other(e.to_string())))?;
    crate::kube::kubeconfig::write_atomic(dir, &path, yaml.as_bytes()).map_err(werr)?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_is_private_and_reads_back_with_token_and_namespace() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("kcd-kubeconfigs");
        let cluster = Cluster {
            server: Some("https://127.0.0.1:6443".into()),
            certificate_authority_data: Some("Q0E=".into()),
            ..Default::default()
        };
        let cfg = learner_kubeconfig(&cluster, "kcd", "ana", "kcd-ana", "tok.en");
        let path = write(&out, "ana", &cfg).unwrap();
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains("token: tok.en"), "{text}");
        let back = Kubeconfig::read_from(&path).unwrap();
        let ctx = back.contexts[0].context.as_ref().unwrap();
        assert_eq!(ctx.namespace.as_deref(), Some("kcd-ana"));
        assert_eq!(back.current_context.as_deref(), Some("kcd-ana"));
    }

    #[test]
    fn a_ca_file_is_inlined_for_other_machines() {
        let dir = tempfile::tempdir().unwrap();
        let ca = dir.path().join("ca.crt");
        std::fs::write(&ca, "PEM").unwrap();
        let user: Kubeconfig = serde_yaml::from_str(&format!(
            "clusters: [{{name: c, cluster: {{server: 'https://x', certificate-authority: '{}'}}}}]\n\
             contexts: [{{name: ctx, context: {{cluster: c}}}}]\n",
            ca.display()
        ))
        .unwrap();
        let cluster = learner_cluster(&user, "ctx").unwrap();
        assert_eq!(cluster.certificate_authority, None);
        assert_eq!(cluster.certificate_authority_data.as_deref(), Some("UEVN"));
        assert!(learner_cluster(&user, "nope").is_err());
    }
}
