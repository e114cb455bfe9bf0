//! The lesson namespace: which one (front matter, `--namespace`, workshop suffix), whether it is
//! a valid name, and creating it when absent (after the user agreed).

use k8s_openapi::api::core::v1::Namespace;
use kube::api::{Api, ObjectMeta, PostParams};

use super::safety::SafetyError;

/// Label put on namespaces kubetutor creates, so a user can find and delete them.
pub const MANAGED_BY: (&str, &str) = ("app.kubernetes.io/managed-by", "kubetutor");

/// The namespace cells run in: `--namespace`, else the lesson's, else `default`; a workshop
/// suffix is appended as `-suffix` (lowercased, since learners type their names).
pub fn resolve(
    arg: Option<&str>,
    lesson: Option<&str>,
    suffix: Option<&str>,
) -> Result<String, SafetyError> {
    let base = arg
        .or(lesson)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .unwrap_or("default");
    let name = match suffix.map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => format!("{base}-{}", s.to_lowercase()),
        None => base.to_string(),
    };
    validate(&name)?;
    Ok(name)
}

/// Checks a DNS-1123 label, as the API server does for namespace names.
pub fn validate(name: &str) -> Result<(), SafetyError> {
    let reason = if name.len() > 63 {
        Some("is longer than 63 characters")
    } else if !name
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        Some("may only contain lowercase letters, digits and '-'")
    } else if name.starts_with('-') || name.ends_with('-') {
        Some("must start and end with a letter or digit")
    } else {
        None
    };
    match reason {
        Some(reason) => Err(SafetyError::InvalidNamespace {
            namespace: name.to_string(),
            reason,
        }),
        None => Ok(()),
    }
}

/// Whether the namespace exists. A 403 on `get` is reported, not guessed around.
pub async fn exists(client: &kube::Client, name: &str) -> Result<bool, SafetyError> {
    let api: Api<Namespace> = Api::all(client.clone());
    api.get_opt(name)
        .await
        .map(|found| found.is_some())
        .map_err(|err| namespace_error(name, "get", &err))
}

/// Creates the namespace, labelled as managed by kubetutor. Creating one that appeared in the
/// meantime (409) counts as success.
pub async fn create(client: &kube::Client, name: &str) -> Result<(), SafetyError> {
    let api: Api<Namespace> = Api::all(client.clone());
    let ns = Namespace {
        metadata: ObjectMeta {
            name: Some(name.to_string()),
            labels: Some([(MANAGED_BY.0.to_string(), MANAGED_BY.1.to_string())].into()),
            ..Default::default()
        },
        ..Default::default()
    };
    match api.create(&PostParams::default(), &ns).await {
        Ok(_) => Ok(()),
        Err(kube::Error::Api(status)) if status.code == 409 => Ok(()),
        Err(err) => Err(namespace_error(name, "create", &err)),
    }
}

fn namespace_error(name: &str, action: &'static str, err: &kube::Error) -> SafetyError {
    let mut cause = super::root_cause(err);
    // A workshop kubeconfig carries a bound token: once it expires, or the workshop was deleted,
    // every request is a 401 and only the instructor can mint a new one.
    if matches!(err, kube::Error::Api(s) if s.code == 401) {
        cause.push_str(
            " (the cluster refused these credentials: an expired or revoked token; with a \
             workshop kubeconfig, ask the instructor to run `kubetutor workshop create` again \
             for a fresh one)",
        );
    }
    SafetyError::Namespace {
        namespace: name.to_string(),
        action,
        cause,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn precedence_is_flag_then_lesson_then_default() {
        assert_eq!(resolve(Some("a"), Some("b"), None).ok(), Some("a".into()));
        assert_eq!(resolve(None, Some("b"), None).ok(), Some("b".into()));
        assert_eq!(resolve(None, None, None).ok(), Some("default".into()));
        assert_eq!(resolve(None, Some("  "), None).ok(), Some("default".into()));
    }

    #[test]
    fn workshop_suffix_is_appended_lowercased() {
        let got = resolve(None, Some("kubetutor-redis"), Some("Alice")).ok();
        assert_eq!(got, Some("kubetutor-redis-alice".into()));
    }

    #[test]
    fn invalid_names_are_refused_with_the_rule() {
        for bad in ["Redis", "a_b", "-a", "a-", &"x".repeat(64)] {
            let err = validate(bad)
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default();
            assert!(err.contains("namespace"), "{bad}: {err}");
        }
        assert!(resolve(None, Some("ok"), Some("bob smith")).is_err());
        assert!(validate("kubetutor-redis-1").is_ok());
    }
}
