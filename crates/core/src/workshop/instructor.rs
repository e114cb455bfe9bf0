//! The instructor's side: their kubeconfig and context (protected contexts refused as for a
//! lesson), and a client with their own credentials.

use kube::config::{Cluster, KubeConfigOptions, Kubeconfig};

use super::{WorkshopError, credentials};
use crate::kube::kubeconfig;
use crate::kube::safety::{SafetyEnv, check_protected};

pub struct Instructor {
    pub config: Kubeconfig,
    pub context: String,
    pub client: kube::Client,
}

impl Instructor {
    /// `context`, else the kubeconfig's current one.
    pub async fn connect(context: Option<&str>) -> Result<Self, WorkshopError> {
        let env = SafetyEnv::from_env();
        let config = kubeconfig::read_merged(&env.kubeconfig_paths)?;
        let context = context
            .map(String::from)
            .or_else(|| config.current_context.clone())
            .ok_or_else(|| {
                WorkshopError::Cluster(
                    "the kubeconfig has no current context: pass --context NAME".into(),
                )
            })?;
        let (ctx, _server) = kubeconfig::find_context(&config, &context)?;
        check_protected(&env.protected, &[&context, &ctx.cluster])?;
        let options = KubeConfigOptions {
            context: Some(context.clone()),
            ..Default::default()
        };
        let cerr = |e: String| WorkshopError::Cluster(format!("context {context}: {e}"));
        let client_config = kube::Config::from_custom_kubeconfig(config.clone(), &options)
            .await
            .map_err(|e| cerr(e.to_string()))?;
        let client = kube::Client::try_from(client_config).map_err(|e| cerr(e.to_string()))?;
        Ok(Self {
            config,
            context,
            client,
        })
    }

    /// The cluster entry learners' kubeconfigs get.
    pub fn learner_cluster(&self) -> Result<Cluster, WorkshopError> {
        credentials::learner_cluster(&self.config, &self.context)
    }
}
